using EventChat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

/// <summary>Every hub method reports a malformed payload with the contract's error codes.</summary>
public sealed class HubErrors
{
    public static TheoryData<string, string, string> Cases => new()
    {
        // method, payload (with {conversation} and {unknown} filled in), expected code
        { "sendMessage", """{"conversationId": 123, "content": "hi"}""", "validation" },
        { "sendMessage", "\"just a string\"", "validation" },
        { "sendMessage", """{"conversationId": "{unknown}", "content": "hi"}""", "not_found" },
        { "messageRead", """{"conversationId": "{conversation}"}""", "validation" },
        { "messageRead", """{"conversationId": "{conversation}", "messageId": "{unknown}"}""", "not_found" },
        { "messageRead", """{"conversationId": "not-a-guid", "messageId": "{unknown}"}""", "validation" },
        { "typingStart", "{}", "validation" },
        { "typingStop", """{"conversationId": "{unknown}"}""", "not_found" },
        { "joinRoom", "{}", "validation" },
        { "joinRoom", """{"conversationId": "{unknown}"}""", "not_found" },
        { "leaveRoom", """{"conversationId": true}""", "validation" },
        { "getOnlineUsers", """{"userIds": "everyone"}""", "validation" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_malformed_payload_fails_the_call_and_sends_its_error_code(string method, string payload, string code)
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "hi" }));
        var tab = await alice.OpenTab();
        var json = System.Text.Json.JsonDocument.Parse(payload.Replace("{conversation}", conversationId.ToString()).Replace("{unknown}", Guid.CreateVersion7().ToString())).RootElement;

        await Assert.ThrowsAsync<HubException>(() => tab.Connection.InvokeCoreAsync(method, typeof(object), [json]));

        var error = await tab.Next("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(method, error.GetProperty("method").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task An_unknown_method_fails_that_call_and_keeps_the_connection()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        var tab = await alice.OpenTab();

        await Assert.ThrowsAsync<HubException>(() => tab.Invoke("no-such-method", new { }));

        var answer = await tab.Invoke("getOnlineUsers", new { });
        Assert.Equal(System.Text.Json.JsonValueKind.Array, answer.GetProperty("onlineUsers").ValueKind);
    }
}
