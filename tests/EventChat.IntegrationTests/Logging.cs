using System.Net.Http.Json;
using EventChat.IntegrationTests.Infrastructure;

namespace EventChat.IntegrationTests;

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
}
