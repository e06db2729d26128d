using System.Net.Http.Json;
using EventChat.IntegrationTests.Infrastructure;

namespace EventChat.IntegrationTests;

public sealed class Logging
{
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
