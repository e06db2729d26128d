using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

/// <summary>Every bad send gets a clear error on REST and on the hub, and stores nothing.</summary>
public sealed class BadInput
{
    public static TheoryData<string, string[]> BadSends => new()
    {
        { "empty content", ["content"] },
        { "blank content", ["content"] },
        { "content over 4000 characters", ["content"] },
        { "unknown messageType", ["messageType"] },
        { "both receiverId and conversationId", ["receiverId"] },
        { "neither receiverId nor conversationId", ["receiverId"] },
    };

    private static object Body(string badness, Guid receiverId, Guid conversationId) => badness switch
    {
        "empty content" => new { receiverId, content = "" },
        "blank content" => new { receiverId, content = "  \n " },
        "content over 4000 characters" => new { receiverId, content = new string('x', 4001) },
        "unknown messageType" => new { receiverId, content = "hi", messageType = "hologram" },
        "both receiverId and conversationId" => new { receiverId, conversationId, content = "hi" },
        "neither receiverId nor conversationId" => (object)new { content = "hi" },
        _ => throw new ArgumentOutOfRangeException(nameof(badness)),
    };

    [Theory]
    [MemberData(nameof(BadSends))]
    public async Task A_bad_send_over_REST_lists_each_failed_field_and_stores_nothing(string badness, string[] fields)
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var bobTab = await bob.OpenTab();

        var response = await alice.Http.PostAsJsonAsync("/api/chat/messages", Body(badness, bob.Id, Guid.CreateVersion7()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("validation", problem.GetProperty("code").GetString());
        Assert.Equal(fields, problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        await AssertNothingStored(alice, bob, bobTab);
    }

    [Theory]
    [MemberData(nameof(BadSends))]
    public async Task A_bad_send_over_the_hub_fails_the_call_sends_error_and_stores_nothing(string badness, string[] fields)
    {
        _ = fields;
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var (aliceTab, bobTab) = (await alice.OpenTab(), await bob.OpenTab());

        var failure = await Assert.ThrowsAsync<HubException>(() => aliceTab.Invoke("sendMessage", Body(badness, bob.Id, Guid.CreateVersion7())));

        var error = await aliceTab.Next("error");
        Assert.Equal("validation", error.GetProperty("code").GetString());
        Assert.Equal("sendMessage", error.GetProperty("method").GetString());
        Assert.Contains(error.GetProperty("message").GetString()!, failure.Message);
        await AssertNothingStored(alice, bob, bobTab);
    }

    [Fact]
    public async Task A_message_to_yourself_is_refused()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        var tab = await alice.OpenTab();

        var response = await alice.Http.PostAsJsonAsync("/api/chat/messages", new { receiverId = alice.Id, content = "me" });
        await Assert.ThrowsAsync<HubException>(() => tab.Invoke("sendMessage", new { receiverId = alice.Id, content = "me" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("validation", (await tab.Next("error")).GetProperty("code").GetString());
        Assert.Empty(await alice.Conversations());
    }

    [Fact]
    public async Task A_message_to_an_unknown_user_is_not_found_and_starts_no_conversation()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");

        var response = await alice.Http.PostAsJsonAsync("/api/chat/messages", new { receiverId = Guid.CreateVersion7(), content = "anyone?" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await alice.Conversations());
    }

    [Fact]
    public async Task A_system_message_cannot_be_sent_by_a_user()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");

        var response = await alice.Http.PostAsJsonAsync("/api/chat/messages", new { receiverId = bob.Id, content = "I am the server", messageType = "system" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("reserved", problem.GetProperty("errors").GetProperty("messageType")[0].GetString());
        Assert.Empty(await bob.Conversations());
    }

    [Fact]
    public async Task An_unknown_route_is_a_not_found_problem_with_its_code()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");

        var response = await alice.Http.GetAsync("/api/chat/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not_found", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=201")]
    [InlineData("after=-1")]
    [InlineData("limit=lots")]
    public async Task A_bad_page_request_is_a_validation_problem(string query)
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "hi" }));

        var response = await alice.Http.GetAsync($"/api/chat/conversations/{conversationId}/messages?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task AssertNothingStored(TestUser sender, TestUser receiver, Tab receiverTab)
    {
        Assert.Empty(await sender.Conversations());
        Assert.Empty(await receiver.Conversations());
        Assert.Empty(receiverTab.Received("newMessage"));
    }
}
