using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.Client;
using EventChat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using static EventChat.IntegrationTests.Messaging;
using static EventChat.IntegrationTests.Sync;

namespace EventChat.IntegrationTests;

public sealed class GroupMembership
{
    [Fact]
    public async Task An_added_participant_reads_the_history_and_receives_new_messages()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var conversationId = await alice.CreateGroup(bob);
        await Send(alice, new { conversationId, content = "before" });
        var carolTab = await carol.OpenTab();

        var response = await AddParticipants(bob, conversationId, carol.Id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var conversation = await response.Read<Conversation>();
        Assert.Equal([alice.Id, bob.Id, carol.Id], conversation.ParticipantIds);
        Assert.Equal(ConversationKind.Group, conversation.Kind);
        Assert.Equal(1, conversation.UnreadCount);
        Assert.Equal(["before"], (await carol.Client.MessagesAsync(conversationId)).Items.Select(m => m.Content));
        Assert.Equal(conversationId, Assert.Single((await carol.Client.ConversationsAsync()).Items).Id);
        await Send(alice, new { conversationId, content = "after" });
        Assert.Equal("after", (await carolTab.Next<MessageDelivery>("newMessage")).Message.Content);
        Assert.Equal(3, (await ParticipantIds(alice, conversationId)).Count);
    }

    [Fact]
    public async Task A_removed_participant_receives_nothing_more_on_any_tab_and_is_shut_out()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var conversationId = await alice.CreateGroup(bob, carol);
        var aliceTab = await alice.OpenTab();
        var carolTab = await carol.OpenTab();
        Tab[] bobTabs = [await bob.OpenTab(), await bob.OpenTab()];
        foreach (var tab in bobTabs)
            await tab.Invoke("joinRoom", new { conversationId });
        var before = (await SendTyped(alice, new { conversationId, content = "before" })).Message;
        await aliceTab.Send("typingStart", new { conversationId });
        await aliceTab.Send("typingStop", new { conversationId });
        foreach (var tab in bobTabs)
        {
            Assert.Equal("before", (await tab.Next<MessageDelivery>("newMessage")).Message.Content);
            foreach (var isTyping in new[] { true, false })
            {
                // typingIndicator is userTyping sent to the conversation's room.
                await tab.Next<TypingChanged>("typingIndicator", t => t.IsTyping == isTyping);
                await tab.Next<TypingChanged>("userTyping", t => t.IsTyping == isTyping);
            }
        }

        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync(Participant(conversationId, bob.Id))).StatusCode);

        // After the removal: a message, and typing (to participants and to the conversation's room).
        await Send(alice, new { conversationId, content = "after" });
        await aliceTab.Send("typingStart", new { conversationId });
        Assert.Equal("after", (await carolTab.Next<MessageDelivery>("newMessage", m => m.Message.Content == "after")).Message.Content);
        Assert.True((await carolTab.Next<TypingChanged>("userTyping", t => t.IsTyping)).IsTyping);
        // A later push to Bob proves his connections are live; nothing of the group's arrived before it.
        await Send(alice, new { receiverId = bob.Id, content = "ping" });
        foreach (var tab in bobTabs)
        {
            Assert.Equal("ping", (await tab.Next<MessageDelivery>("newMessage")).Message.Content);
            // receiveMessage follows newMessage: the one after "before" must be the ping, nothing of the group's.
            // receiveMessage is { message, conversation }, not a MessageDelivery.
            await tab.Next("receiveMessage", m => ContentOf(m) == "before");
            Assert.Equal("ping", ContentOf(await tab.Next("receiveMessage")));
            Assert.Empty(tab.Received("typingIndicator"));
            Assert.Empty(tab.Received("userTyping"));
            Assert.Empty(tab.Received("messageRead"));
        }
        await aliceTab.Send("typingStop", new { conversationId });

        var messageId = before.Id;
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Http.GetAsync($"/api/chat/conversations/{conversationId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Http.GetAsync($"/api/chat/conversations/{conversationId}/messages")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Http.PostAsJsonAsync("/api/chat/messages", new { conversationId, content = "still here?" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Http.PostAsJsonAsync($"/api/chat/conversations/{conversationId}/read", new { messageId })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await AddParticipants(bob, conversationId, bob.Id)).StatusCode);
        await Assert.ThrowsAsync<HubException>(() => bobTabs[0].Invoke("sendMessage", new { conversationId, content = "still here?" }));
        Assert.Equal("not_found", (await bobTabs[0].Next("error")).GetProperty("code").GetString());
        await Assert.ThrowsAsync<HubException>(() => bobTabs[1].Invoke("joinRoom", new { conversationId }));
        Assert.Equal("not_found", (await bobTabs[1].Next("error")).GetProperty("code").GetString());
        Assert.DoesNotContain((await bob.Get<ConversationPage>("/api/chat/conversations")).Items, c => c.Id == conversationId);
        Assert.Equal([alice.Id, carol.Id], await ParticipantIds(carol, conversationId));
        Assert.Equal(["before", "after"], (await carol.Client.MessagesAsync(conversationId)).Items.Select(m => m.Content));
    }

    [Fact]
    public async Task A_removed_member_hears_sees_and_finds_nothing_of_what_happens_in_the_group_after_the_removal()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        await using var dave = await server.NewUser("dave");
        var marker = $"aftermarker{Guid.NewGuid():N}";
        var conversationId = await alice.CreateGroup(bob, carol);
        var aliceTab = await alice.OpenTab();
        var bobTab = await bob.OpenTab();
        await bobTab.Invoke("joinRoom", new { conversationId });
        var before = (await SendTyped(alice, new { conversationId, content = "before" })).Message.Id;
        var doomed = (await SendTyped(alice, new { conversationId, content = "doomed" })).Message.Id;
        // Pushes to one connection keep their order: with the last one in, so is everything before the removal.
        await bobTab.Next("receiveMessage", m => ContentOf(m) == "doomed");
        Assert.NotEmpty(bobTab.ReceivedAny());

        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync(Participant(conversationId, bob.Id))).StatusCode);
        // Carol's first tab: she is online to her contacts, and Bob no longer shares a conversation with her.
        var carolTab = await carol.OpenTab();
        var after = (await SendTyped(alice, new { conversationId, content = $"after {marker}" })).Message.Id;
        await alice.Http.PatchAsJsonAsync($"/api/chat/messages/{before}", new { content = $"before, edited {marker}" });
        await alice.Http.DeleteAsync($"/api/chat/messages/{doomed}");
        await carol.Http.PostAsJsonAsync($"/api/chat/conversations/{conversationId}/read", new { messageId = after });
        await aliceTab.Send("typingStart", new { conversationId });
        await AddParticipants(alice, conversationId, dave.Id);
        await aliceTab.Send("typingStop", new { conversationId });
        // Carol, still a member, hears each of them: they were pushed.
        await carolTab.Next("newMessage", m => ContentOf(m) == $"after {marker}");
        await carolTab.Next("messageEdited");
        await carolTab.Next("messageDeleted");
        await carolTab.Next("messageRead");
        await carolTab.Next<TypingChanged>("userTyping", t => !t.IsTyping);

        // Bob's connection is live: a direct message reaches it, and nothing of the group's arrived before it.
        await Send(alice, new { receiverId = bob.Id, content = "ping" });
        await bobTab.Next("receiveMessage", m => ContentOf(m) == "ping");
        var heard = bobTab.ReceivedAny();
        Assert.Equal(["newMessage"], heard.Select(e => e.Name));
        Assert.Equal("ping", ContentOf(heard[0].Payload));

        // Sync ends his part of the group at his removal; the message he had is a tombstone now, nothing later shows.
        var (feed, _) = await SyncAll(bob);
        var ofGroup = feed.Where(i => ConversationOf(i) == conversationId).ToList();
        Assert.Equal(["ConversationStarted", "MessageSent", "MessageSent", "ParticipantRemoved"], ofGroup.Select(Sync.Type));
        Assert.Equal(["before", ""], ofGroup.Skip(1).Take(2).Select(ContentOf));
        Assert.DoesNotContain(marker, string.Join('\n', feed.Select(i => i.GetRawText())));
        var group = $"/api/chat/conversations/{conversationId}";
        foreach (var path in new[] { group, $"{group}/messages", $"{group}/events", $"/api/chat/messages/{before}/versions", $"/api/chat/search?q={marker}&conversationId={conversationId}" })
            Assert.Equal(HttpStatusCode.NotFound, (await bob.Http.GetAsync(path)).StatusCode);
        Assert.Empty((await bob.Get<SearchResults>($"/api/chat/search?q={marker}")).Items);
        Assert.Equal(2, (await carol.Client.SearchAsync(marker)).Items.Count);
        Assert.DoesNotContain((await bob.Get<ConversationPage>("/api/chat/conversations")).Items, c => c.Id == conversationId);
    }

    [Fact]
    public async Task A_participant_can_leave_and_an_owner_who_leaves_hands_the_group_on()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        await using var dave = await server.NewUser("dave");
        var conversationId = await alice.CreateGroup(bob, carol, dave);

        Assert.Equal(HttpStatusCode.NoContent, (await bob.Http.DeleteAsync(Participant(conversationId, bob.Id))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Http.GetAsync($"/api/chat/conversations/{conversationId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync(Participant(conversationId, alice.Id))).StatusCode);

        // Carol has been in the group longest of those left, so she owns it now; Dave does not.
        Assert.Equal([carol.Id, dave.Id], await ParticipantIds(carol, conversationId));
        Assert.Equal(HttpStatusCode.Forbidden, (await dave.Http.DeleteAsync(Participant(conversationId, carol.Id))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await carol.Http.DeleteAsync(Participant(conversationId, dave.Id))).StatusCode);
        Assert.Equal([carol.Id], await ParticipantIds(carol, conversationId));
        Assert.Equal(HttpStatusCode.NoContent, (await carol.Http.DeleteAsync(Participant(conversationId, carol.Id))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await carol.Http.GetAsync($"/api/chat/conversations/{conversationId}")).StatusCode);
    }

    [Fact]
    public async Task Only_the_owner_can_remove_others()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var conversationId = await alice.CreateGroup(bob, carol);

        var byBob = await bob.Http.DeleteAsync(Participant(conversationId, carol.Id));

        Assert.Equal(HttpStatusCode.Forbidden, byBob.StatusCode);
        Assert.Equal("forbidden", await Code(byBob));
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.Http.DeleteAsync(Participant(conversationId, alice.Id))).StatusCode);
        Assert.Equal([alice.Id, bob.Id, carol.Id], await ParticipantIds(carol, conversationId));
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync(Participant(conversationId, carol.Id))).StatusCode);
        // Removing someone no longer in the group is a harmless repeat.
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync(Participant(conversationId, carol.Id))).StatusCode);
        Assert.Equal([alice.Id, bob.Id], await ParticipantIds(bob, conversationId));
    }

    [Fact]
    public async Task A_direct_conversation_refuses_membership_changes_and_keeps_its_two_users()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var conversationId = (await SendTyped(alice, new { receiverId = bob.Id, content = "just us" })).Message.ConversationId;

        var adding = await AddParticipants(alice, conversationId, carol.Id);

        Assert.Equal(HttpStatusCode.BadRequest, adding.StatusCode);
        Assert.Equal("validation", await Code(adding));
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.Http.DeleteAsync(Participant(conversationId, bob.Id))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await bob.Http.DeleteAsync(Participant(conversationId, bob.Id))).StatusCode);
        Assert.Equal([alice.Id, bob.Id], (await ParticipantIds(bob, conversationId)).Order());
        Assert.Equal(HttpStatusCode.NotFound, (await carol.Http.GetAsync($"/api/chat/conversations/{conversationId}")).StatusCode);
        Assert.Equal(3, (await SendTyped(bob, new { conversationId, content = "still us" })).Message.Sequence);
    }

    [Fact]
    public async Task Adding_an_unknown_user_is_not_found_and_stores_nothing()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var conversationId = await alice.CreateGroup(bob);

        var response = await AddParticipants(alice, conversationId, carol.Id, Guid.CreateVersion7());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not_found", await Code(response));
        Assert.Equal(HttpStatusCode.NotFound, (await carol.Http.GetAsync($"/api/chat/conversations/{conversationId}")).StatusCode);
        Assert.Equal([alice.Id, bob.Id], await ParticipantIds(alice, conversationId));
        // The stream holds only its start: the next event is the second.
        Assert.Equal(2, (await SendTyped(alice, new { conversationId, content = "hi" })).Message.Sequence);
    }

    [Fact]
    public async Task A_member_removed_while_someone_types_does_not_hear_the_typing_end()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var conversationId = await alice.CreateGroup(bob, carol);
        var (aliceTab, bobTab, carolTab) = (await alice.OpenTab(), await bob.OpenTab(), await carol.OpenTab());
        await aliceTab.Send("typingStart", new { conversationId });
        await bobTab.Next<TypingChanged>("userTyping", t => t.IsTyping);

        await alice.Http.DeleteAsync(Participant(conversationId, bob.Id));
        await aliceTab.Send("typingStop", new { conversationId });

        await carolTab.Next<TypingChanged>("userTyping", t => !t.IsTyping);
        await Send(alice, new { receiverId = bob.Id, content = "proves bob's tab is live" });
        await bobTab.Next("newMessage");
        Assert.Empty(bobTab.Received("userTyping"));
    }

    [Fact]
    public async Task Adding_someone_already_in_the_group_changes_nothing()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = await alice.CreateGroup(bob);

        var response = await AddParticipants(bob, conversationId, alice.Id, bob.Id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([alice.Id, bob.Id], (await response.Read<Conversation>()).ParticipantIds);
        Assert.Equal(2, (await SendTyped(alice, new { conversationId, content = "hi" })).Message.Sequence);
    }

    [Fact]
    public async Task Adding_nobody_or_an_empty_id_is_a_validation_problem()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = await alice.CreateGroup(bob);

        var nobody = await alice.Http.PostAsJsonAsync(Participants(conversationId), new { userIds = Array.Empty<Guid>() });
        var emptyId = await AddParticipants(alice, conversationId, Guid.Empty);

        Assert.Equal(HttpStatusCode.BadRequest, nobody.StatusCode);
        Assert.Equal(["userIds"], (await nobody.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.Equal(HttpStatusCode.BadRequest, emptyId.StatusCode);
        Assert.Equal([alice.Id, bob.Id], await ParticipantIds(alice, conversationId));
    }


    private static string Participants(Guid conversationId) => $"/api/chat/conversations/{conversationId}/participants";

    private static string Participant(Guid conversationId, Guid userId) => $"{Participants(conversationId)}/{userId}";

    private static Task<HttpResponseMessage> AddParticipants(TestUser actor, Guid conversationId, params Guid[] userIds) =>
        actor.Http.PostAsJsonAsync(Participants(conversationId), new { userIds });

    private static async Task<IReadOnlyList<Guid>> ParticipantIds(TestUser viewer, Guid conversationId) =>
        (await viewer.Client.ConversationAsync(conversationId)).ParticipantIds;

    [Theory]
    [InlineData("/api/chat/conversations", "participantIds")]
    [InlineData("/api/chat/conversations/{0}/participants", "userIds")]
    public async Task A_group_request_without_its_list_of_people_is_a_validation_problem(string path, string field)
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var groupId = await alice.CreateGroup(bob);

        var response = await alice.Http.PostAsJsonAsync(string.Format(path, groupId), new { title = "no list" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.Single((await alice.Client.ConversationsAsync()).Items);
    }

    private static async Task<string?> Code(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
}
