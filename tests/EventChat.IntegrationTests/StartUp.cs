using EventChat.Api;
using EventChat.IntegrationTests.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Weasel.Core;

namespace EventChat.IntegrationTests;

public sealed class StartUp
{
    [Theory]
    [InlineData(null, "Jwt:SigningKey is not set")]
    [InlineData("too-short", "Jwt:SigningKey is too short")]
    public void Outside_development_a_missing_or_short_signing_key_stops_start_up_with_a_clear_message(string? key, string message)
    {
        var failure = Assert.Throws<InvalidOperationException>(() => EventChatHost.Build(["--environment", "Production"], builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:EventChat"] = "Host=127.0.0.1;Port=1;Username=nobody",
                ["Jwt:SigningKey"] = key,
            })));

        Assert.Contains(message, failure.Message);
    }

    [Fact]
    public void A_server_api_secret_too_short_to_be_safe_stops_start_up_with_a_clear_message()
    {
        var failure = Assert.Throws<InvalidOperationException>(() => EventChatHost.Build(["--environment", "Testing"], builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:EventChat"] = "Host=127.0.0.1;Port=1;Username=nobody",
                ["Jwt:SigningKey"] = "integration-tests-signing-key-that-is-long-enough-0123456789",
                [EventChatServer.MasterKeyName] = EventChatServer.TestMasterKey,
                ["ServerApi:Secret"] = "too-short",
            })));

        Assert.Contains("ServerApi:Secret needs at least 32 bytes", failure.Message);
    }

    [Fact]
    public void In_development_a_signing_key_is_generated_once_and_kept_in_the_data_folder()
    {
        var (first, second) = DevelopmentFileAfterTwoStarts("jwt-signing-key");

        Assert.True(first.Length >= 32);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task A_restart_finds_the_schema_as_the_last_start_left_it_with_no_gin_pending_lists_on_the_send_path()
    {
        // Any difference here is an index or table that every start drops and builds again. The three GIN indexes
        // that every send writes to keep no pending list, whose merge would stall a send's batch (docs/operations.md).
        var server = await EventChatServer.Instance;

        var migration = await server.App.Services.GetRequiredService<IDocumentStore>().Storage.CreateMigrationAsync();
        await using var connection = new NpgsqlConnection(server.App.Configuration.GetConnectionString("EventChat"));
        await connection.OpenAsync();
        await using var options = new NpgsqlCommand(
            "select c.relname, array_to_string(c.reloptions, ',') from pg_class c join pg_am a on a.oid = c.relam where a.amname = 'gin' order by 1",
            connection);
        var gin = new List<string>();
        await using (var reader = await options.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                gin.Add($"{reader.GetString(0)} {(reader.IsDBNull(1) ? "" : reader.GetString(1))}");

        Assert.Equal(SchemaPatchDifference.None, migration.Difference);
        Assert.Equal(
            ["ix_eventchat_message_search_vector fastupdate=off", "mt_doc_conversationview_participants fastupdate=off", "mt_doc_messageview_idx_attachments fastupdate=off",
             "mt_doc_postview_likers fastupdate=off"],
            gin);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Port=1;Username=nobody", 100, true)]
    [InlineData("Host=127.0.0.1;Port=1;Username=nobody;Max Auto Prepare=0;No Reset On Close=false", 0, false)]
    [InlineData("Host=127.0.0.1;Port=1;Username=nobody;maxautoprepare=7", 7, true)]
    public void The_connection_string_gets_prepared_statements_and_no_reset_unless_it_sets_them_itself(string given, int maxAutoPrepare, bool noResetOnClose)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("eventchat-data-").FullName;
        try
        {
            var app = BuildInDevelopment(given, dataDirectory);

            using var connection = app.Services.GetRequiredService<IDocumentStore>().Storage.Database.CreateConnection();
            var used = new NpgsqlConnectionStringBuilder(connection.ConnectionString);

            Assert.Equal(maxAutoPrepare, used.MaxAutoPrepare);
            Assert.Equal(noResetOnClose, used.NoResetOnClose);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>
    /// Builds the host twice in Development on one fresh data folder and reads <paramref name="fileName"/> from it
    /// after each build: what a key generated on first start looks like, and whether the second start kept it.
    /// </summary>
    internal static (string First, string Second) DevelopmentFileAfterTwoStarts(string fileName)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("eventchat-data-").FullName;
        try
        {
            string StartAndRead()
            {
                BuildInDevelopment("Host=127.0.0.1;Port=1;Username=nobody", dataDirectory);
                return File.ReadAllText(Path.Combine(dataDirectory, fileName));
            }

            return (StartAndRead(), StartAndRead());
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    // Built, not started: nothing connects to the database.
    private static WebApplication BuildInDevelopment(string connectionString, string dataDirectory) =>
        EventChatHost.Build(["--environment", "Development"], builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:EventChat"] = connectionString,
                ["EventChat:DataDirectory"] = dataDirectory,
            }));
}
