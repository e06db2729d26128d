using System.Net.Http.Json;
using System.Text.Json;
using EventChat.IntegrationTests.Infrastructure;
using Marten;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

[Collection(SecondServerCollection.Name)]
public sealed class Logging
{
    [Fact]
    public async Task A_failed_database_write_logs_no_data()
    {
        var server = await EventChatServer.Instance;
        await using var taken = await server.NewUser("taken");
        var secret = "secret-display-name-" + Guid.NewGuid().ToString("N")[..8];

        // A taken username fails at the database's unique index, inside Marten.
        var again = await taken.Http.PostAsJsonAsync("/api/auth/register", new { username = taken.Username, password = "another password", displayName = secret });

        Assert.Equal(System.Net.HttpStatusCode.Conflict, again.StatusCode);
        Assert.DoesNotContain(EventChatServer.LogLines, l => l.Contains(secret) || l.Contains("AQAAAA"));
    }

    [Fact]
    public async Task Tokens_never_reach_a_log_line_and_content_stays_out_of_information_logs()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var secret = "secret-content-" + Guid.NewGuid();
        var tab = await Tab.Open(server.BaseAddress, alice.Token, tokenInQuery: true);
        await tab.Invoke("sendMessage", new { receiverId = bob.Id, content = secret });
        await alice.Http.PostAsJsonAsync("/api/chat/messages", new { receiverId = bob.Id, content = secret });
        await alice.Http.GetAsync("/api/chat/conversations");
        await tab.DisposeAsync();

        var lines = EventChatServer.LogLines.ToArray();

        Assert.Contains(lines, l => l.Contains("message sent") && l.Contains(alice.Id.ToString()));
        Assert.DoesNotContain(lines, l => l.Contains(alice.Token) || l.Contains(alice.Token.Split('.')[2]));
        Assert.DoesNotContain(lines, l => l.StartsWith("Information") && l.Contains(secret));
    }

    [Fact]
    public async Task A_refused_hub_call_logs_one_debug_line_without_a_stack_trace_and_an_unexpected_failure_logs_its_stack_trace_once()
    {
        // Its own server, with the hub's lines and SignalR's at Debug, so that every line a refusal could write is seen.
        await using var server = await EventChatServer.StartIsolated(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:EventChat.Api.Hubs"] = "Debug",
            ["Logging:LogLevel:Microsoft.AspNetCore.SignalR"] = "Debug",
        });
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "hi" }));
        var tab = await Tab.Open(server.BaseAddress, alice.Token, tokenInQuery: true);
        var from = EventChatServer.LogLines.Count;

        // SignalR logs a failed call before it answers it, so each line is written by the time the call has failed.
        await Assert.ThrowsAsync<HubException>(() => tab.Invoke("joinRoom", new { }));
        await Assert.ThrowsAsync<HubException>(() => tab.Invoke("joinRoom", new { conversationId = Guid.CreateVersion7() }));
        // Unexpected: the conversation's stored view no longer reads.
        await Unreadable(server, conversationId);
        await Assert.ThrowsAsync<HubException>(() => tab.Invoke("joinRoom", new { conversationId }));
        await tab.DisposeAsync();

        var lines = EventChatServer.LogLines.Skip(from).ToArray();
        var alices = lines.Where(l => l.Contains(alice.Id.ToString())).ToArray();
        Assert.Equal(
        [
            $"Debug EventChat.Api.Hubs.HubErrorFilter: hub method joinRoom failed for {alice.Id}: validation ",
            $"Debug EventChat.Api.Hubs.HubErrorFilter: hub method joinRoom failed for {alice.Id}: not_found ",
        ], alices.Where(l => !l.StartsWith("Error")));
        var unexpected = Assert.Single(alices, l => l.StartsWith("Error"));
        Assert.StartsWith($"Error EventChat.Api.Hubs.HubErrorFilter: hub method joinRoom failed unexpectedly for {alice.Id} ", unexpected);
        Assert.Contains("\n   at ", unexpected);
        // SignalR's own line for each failed call carried the HubException the filter answers with, and its stack trace.
        Assert.DoesNotContain(lines, l => l.Contains(nameof(HubException)) && l.Contains("\n   at "));
        Assert.DoesNotContain(lines, l => l.Contains(alice.Token) || l.Contains(alice.Token.Split('.')[2]));
    }

    private static async Task Unreadable(EventChatServer server, Guid conversationId)
    {
        await using var connection = server.App.Services.GetRequiredService<IDocumentStore>().Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("update mt_doc_conversationview set data = jsonb_set(data, '{participantIds}', to_jsonb(5)) where id = @id", connection);
        command.Parameters.AddWithValue("id", conversationId);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }
}

/// <summary>
/// JSON logs, the operators' option (docs/deploy.md, "Logs"): a server process started with them prints nothing but
/// JSON objects, one a line, from its first line to its last, and a start that fails says why in one of them. Server
/// processes load the machine, so these run with the multi-node tests, alone.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class JsonLogging
{
    public static readonly KeyValuePair<string, string> On = new("Logging__Console__FormatterName", "json");

    [Fact]
    public async Task Every_line_a_server_prints_from_start_to_stop_is_a_json_object_and_none_holds_a_token()
    {
        await using var cluster = await Cluster.Start(nodes: 1, settings: new Dictionary<string, string>([On]));
        await using var alice = await cluster.NewUser("alice");
        await using var bob = await cluster.NewUser("bob");
        var tab = await Tab.Open(cluster[0], alice.Token, tokenInQuery: true);
        await tab.Invoke("sendMessage", new { receiverId = bob.Id, content = "hello in json" });
        await alice.Http.GetAsync("/api/chat/conversations");
        await tab.DisposeAsync();
        var node = cluster.Nodes[0];

        Assert.Equal(0, await node.Stop());

        var lines = Lines(node.Output);
        Assert.Contains(lines, l => Message(l).StartsWith("Now listening on: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => Message(l).StartsWith("message sent", StringComparison.Ordinal) && Message(l).Contains(alice.Id.ToString()));
        Assert.Contains(lines, l => Message(l) == "Application is shutting down...");
        Assert.DoesNotContain(alice.Token, node.Output);
        Assert.DoesNotContain(alice.Token.Split('.')[2], node.Output);
    }

    [Fact]
    public async Task A_start_that_fails_says_why_in_one_json_line_and_exits_with_1()
    {
        // No Jwt__SigningKey, which every environment but Development requires.
        await using var node = ApiNode.Launch(new Dictionary<string, string>([On, new("ConnectionStrings__EventChat", "Host=127.0.0.1;Database=unused")]));

        Assert.Equal(1, await node.Exited());

        var failure = Assert.Single(Lines(node.Output));
        Assert.Equal("Critical", failure.GetProperty("LogLevel").GetString());
        Assert.Equal("EventChat.Api.ServeCommand", failure.GetProperty("Category").GetString());
        Assert.Contains("Jwt:SigningKey is not set", Message(failure));
    }

    /// <summary>Every line of a process's output as the JSON object it must be; fails at the first that is not one.</summary>
    public static List<JsonElement> Lines(string output)
    {
        var lines = new List<JsonElement>();
        foreach (var line in output.TrimEnd('\n').Split('\n'))
        {
            try
            {
                using var json = JsonDocument.Parse(line);
                Assert.True(json.RootElement.ValueKind == JsonValueKind.Object, $"not a JSON object: {line}");
                lines.Add(json.RootElement.Clone());
            }
            catch (JsonException)
            {
                Assert.Fail($"not a JSON line: {line}");
            }
        }
        return lines;
    }

    public static string Message(JsonElement line) => line.GetProperty("Message").GetString()!;
}
