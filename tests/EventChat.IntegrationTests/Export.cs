using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.IntegrationTests.Infrastructure;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

/// <summary>The export of docs/privacy.md ("Export"): every message a user may take with them, in order, however many.</summary>
[Collection(SecondServerCollection.Name)]
public sealed class Export
{
    // The export reads 500 messages at a time: one conversation longer than that crosses a page boundary.
    private const int LongConversation = 520;

    [Fact]
    public async Task An_export_holds_every_message_of_the_users_conversations_and_only_their_own_of_groups_left_each_once_in_order()
    {
        await using var server = await EventChatServer.StartIsolated(new Dictionary<string, string?>
        {
            ["EventChat:Limits:MessageBurst"] = "2000",
            ["EventChat:Limits:MessagesPerSecond"] = "2000",
        });
        var (alice, bob, carol) = (await server.NewUser("alice"), await server.NewUser("bob"), await server.NewUser("carol"));
        var direct = ConversationId(await Send(bob, new { receiverId = alice.Id, content = "d0" }));
        // Sent in batches at once, so they share commits; each gets its own sequence all the same.
        for (var i = 1; i < LongConversation; i += 40)
            await Task.WhenAll(Enumerable.Range(i, Math.Min(40, LongConversation - i)).Select(n => Send(n % 3 == 0 ? alice : bob, new { conversationId = direct, content = $"d{n}" })));
        var kept = await carol.CreateGroup(alice, bob);
        await Send(carol, new { conversationId = kept, content = "k1" });
        await Send(alice, new { conversationId = kept, content = "k2" });
        var deleted = await Send(alice, new { conversationId = kept, content = "k3, regretted" });
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync($"/api/chat/messages/{deleted.GetProperty("message").GetProperty("id").GetGuid()}")).StatusCode);
        await Send(bob, new { conversationId = kept, content = "k4" });
        var left = await carol.CreateGroup(alice, bob);
        await Send(carol, new { conversationId = left, content = "l1, carol's" });
        await Send(alice, new { conversationId = left, content = "l2, alice's" });
        await Send(bob, new { conversationId = left, content = "l3, bob's" });
        await Send(alice, new { conversationId = left, content = "l4, alice's" });
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync($"/api/chat/conversations/{left}/participants/{alice.Id}")).StatusCode);
        await Send(carol, new { conversationId = left, content = "l5, after alice left" });
        var elsewhere = ConversationId(await Send(bob, new { receiverId = carol.Id, content = "not alice's" }));

        var response = await alice.Http.GetAsync("/api/users/me/export", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var messages = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messages").EnumerateArray().ToList();

        // Conversation by conversation, by id; within each, by sequence; each message once.
        var conversations = messages.Select(m => m.GetProperty("conversationId").GetGuid()).ToList();
        var runs = conversations.Where((id, i) => i == 0 || conversations[i - 1] != id).ToList();
        Assert.Equal(runs.Distinct(), runs);
        Assert.Equal(new[] { direct, kept, left }.Order(), runs);
        Assert.DoesNotContain(elsewhere, runs);
        foreach (var conversation in runs)
        {
            var sequences = messages.Where(m => m.GetProperty("conversationId").GetGuid() == conversation).Select(m => m.GetProperty("sequence").GetInt64()).ToList();
            Assert.Equal(sequences.Order().Distinct(), sequences);
        }
        Assert.Equal(Enumerable.Range(0, LongConversation).Select(n => $"d{n}").Order(StringComparer.Ordinal),
            Contents(messages, direct).Order(StringComparer.Ordinal));
        Assert.Equal(["k1", "k2", "k4"], Contents(messages, kept));
        Assert.Equal(["l2, alice's", "l4, alice's"], Contents(messages, left));
    }

    private static IEnumerable<string> Contents(List<JsonElement> messages, Guid conversationId) =>
        messages.Where(m => m.GetProperty("conversationId").GetGuid() == conversationId).Select(m => m.GetProperty("content").GetString()!);
}
