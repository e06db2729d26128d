namespace EventChat.Application;

public static class DatabaseOutage
{
    /// <summary>
    /// PostgreSQL restarting, unreachable or out of pooled connections: Npgsql marks these transient, and Marten
    /// wraps them. Nothing of the command took effect (or, if its commit raced the outage, a retry with the same
    /// clientMessageId is still stored once), so it is worth retrying rather than an internal error.
    /// </summary>
    public static bool Caused(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
            if (e is Npgsql.NpgsqlException { IsTransient: true } or System.Net.Sockets.SocketException)
                return true;
        return false;
    }
}
