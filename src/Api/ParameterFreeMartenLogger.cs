using Marten;
using Marten.Services;
using Npgsql;

namespace EventChat.Api;

/// <summary>
/// Logs Marten's schema changes and failures, but never a command's SQL or parameters: Marten's
/// default logger writes those at Error, and they carry message text and password hashes.
/// </summary>
public sealed class ParameterFreeMartenLogger(ILogger<ParameterFreeMartenLogger> log) : IMartenLogger, IMartenSessionLogger
{
    public IMartenSessionLogger StartSession(IQuerySession session) => this;

    public void SchemaChange(string sql) => log.LogInformation("database schema changed");

    public void LogFailure(NpgsqlCommand command, Exception ex) => LogFailure(ex, "database command failed");

    public void LogFailure(NpgsqlBatch batch, Exception ex) => LogFailure(ex, "database batch failed");

    // Only the exception's type: Marten's and Npgsql's messages can quote the data that failed.
    public void LogFailure(Exception ex, string message) => log.LogWarning("{What}: {ExceptionType}", message, ex.GetType().Name);

    public void LogSuccess(NpgsqlCommand command)
    {
    }

    public void LogSuccess(NpgsqlBatch batch)
    {
    }

    public void RecordSavedChanges(IDocumentSession session, IChangeSet commit)
    {
    }

    public void OnBeforeExecute(NpgsqlCommand command)
    {
    }

    public void OnBeforeExecute(NpgsqlBatch batch)
    {
    }
}
