using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.Client;
using EventChat.IntegrationTests.Infrastructure;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

/// <summary>
/// Every test searches for words of its own (the server and its database are shared by the whole run),
/// so a hit can only come from the test's own messages.
/// </summary>
public sealed class Search
{
    [Fact]
    public async Task Search_finds_a_word_in_every_conversation_of_the_caller()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var word = Word();
        var withBob = ConversationId(await Send(alice, new { receiverId = bob.Id, content = $"the {word} is ready" }));
        var withCarol = ConversationId(await Send(carol, new { receiverId = alice.Id, content = $"did you see the {word}?" }));
        await Send(alice, new { receiverId = bob.Id, content = "something else entirely" });

        var hits = await Hits(alice, word);

        Assert.Equal(new HashSet<Guid> { withBob, withCarol }, hits.Select(h => h.ConversationId).ToHashSet());
        Assert.Equal(2, hits.Count);
        Assert.All(hits, h => Assert.Equal(h.ConversationId, h.Message.ConversationId));
        Assert.Contains(hits, h => h.Message.Content == $"did you see the {word}?");
        Assert.All(hits, h => Assert.True(h.Rank > 0));
        Assert.Equal(withBob, Assert.Single(await Hits(bob, word)).ConversationId);
    }

    [Fact]
    public async Task Search_finds_nothing_in_a_conversation_the_caller_is_not_in()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var word = Word();
        await Send(bob, new { receiverId = carol.Id, content = $"secret {word}" });
        await Send(alice, new { receiverId = bob.Id, content = $"hello bob, no {word} here" });

        Assert.Equal($"hello bob, no {word} here", Assert.Single(await Hits(alice, word)).Message.Content);
        Assert.Equal(2, (await Hits(bob, word)).Count);
    }

    [Fact]
    public async Task Search_stops_finding_a_group_s_messages_once_the_caller_has_left()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var word = Word();
        var group = await alice.CreateGroup(bob);
        await Send(bob, new { conversationId = group, content = $"before you go: {word}" });
        Assert.Single(await Hits(alice, word));

        var left = await alice.Http.DeleteAsync($"/api/chat/conversations/{group}/participants/{alice.Id}");

        Assert.True(left.IsSuccessStatusCode);
        Assert.Empty(await Hits(alice, word));
    }

    [Fact]
    public async Task An_exact_phrase_ranks_above_the_same_words_apart()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var (first, second) = (Word(), Word());
        var phrase = $"a much longer message where {first} {second} appears as it was typed, and nothing else matters here";
        // The phrase is sent first and is the longest, so neither recency nor brevity can put it on top.
        await Send(alice, new { receiverId = bob.Id, content = phrase });
        await Send(bob, new { receiverId = alice.Id, content = $"{second} {first}" });
        await Send(alice, new { receiverId = bob.Id, content = $"{first} and then {second}" });

        var hits = await Hits(alice, $"{first} {second}");

        Assert.Equal(3, hits.Count);
        Assert.Equal(phrase, hits[0].Message.Content);
        Assert.True(hits[0].Rank > hits[1].Rank);
        Assert.True(hits[1].Rank >= hits[2].Rank);
    }

    [Fact]
    public async Task A_hit_carries_a_highlighted_snippet_with_the_text_HTML_escaped()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var word = Word();
        var content = $"<img src=x onerror=alert(1)> Tom & \"Jerry\" found the {word} <b>today</b>";
        await Send(alice, new { receiverId = bob.Id, content });

        var hit = Assert.Single(await Hits(bob, word));

        Assert.Equal(content, hit.Message.Content);
        var snippet = hit.Snippet;
        Assert.Contains($"<mark>{word}</mark>", snippet);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", snippet);
        Assert.Contains("Tom &amp; &quot;Jerry&quot;", snippet);
        Assert.Contains("&lt;b&gt;today&lt;/b&gt;", snippet);
        Assert.DoesNotContain("<", snippet.Replace("<mark>", "").Replace("</mark>", ""));
    }

    [Fact]
    public async Task A_long_message_gets_a_snippet_around_the_match_not_the_whole_text()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var word = Word();
        var content = string.Join(' ', Enumerable.Repeat("filler", 100)) + $" {word} " + string.Join(' ', Enumerable.Repeat("padding", 100));
        await Send(alice, new { receiverId = bob.Id, content });

        var snippet = Assert.Single(await Hits(alice, word)).Snippet;

        Assert.Contains($"<mark>{word}</mark>", snippet);
        Assert.True(snippet.Length < content.Length / 2, snippet);
    }

    [Fact]
    public async Task Search_matches_other_forms_of_a_word()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var word = Word();
        await Send(alice, new { receiverId = bob.Id, content = $"{word} was running late" });

        var hit = Assert.Single(await Hits(bob, $"{word} runs"));

        Assert.Contains("<mark>running</mark>", hit.Snippet);
    }

    [Fact]
    public async Task The_conversation_filter_keeps_hits_from_that_conversation_only()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var word = Word();
        var withBob = ConversationId(await Send(alice, new { receiverId = bob.Id, content = $"{word} one" }));
        await Send(alice, new { receiverId = bob.Id, content = $"{word} two" });
        await Send(alice, new { receiverId = carol.Id, content = $"{word} three" });

        var hits = await Hits(alice, word, $"&conversationId={withBob}");

        Assert.Equal(2, hits.Count);
        Assert.All(hits, h => Assert.Equal(withBob, h.ConversationId));
        Assert.Equal(3, (await Hits(alice, word)).Count);
    }

    [Fact]
    public async Task A_filter_on_a_conversation_the_caller_cannot_see_is_not_found()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var word = Word();
        var theirs = ConversationId(await Send(bob, new { receiverId = carol.Id, content = $"{word}" }));

        var someoneElses = await alice.Http.GetAsync(Url(word, $"&conversationId={theirs}"));
        var nobodys = await alice.Http.GetAsync(Url(word, $"&conversationId={Guid.NewGuid()}"));

        Assert.Equal(HttpStatusCode.NotFound, someoneElses.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, nobodys.StatusCode);
        var (hidden, missing) = (await someoneElses.Content.ReadFromJsonAsync<JsonElement>(), await nobodys.Content.ReadFromJsonAsync<JsonElement>());
        Assert.Equal("not_found", hidden.GetProperty("code").GetString());
        // The same answer whether the conversation exists or not: no hint that it does.
        Assert.Equal(missing.GetProperty("detail").GetString(), hidden.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Limit_caps_the_hits()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var word = Word();
        for (var i = 0; i < 3; i++)
            await Send(alice, new { receiverId = bob.Id, content = $"{word} number {i}" });

        Assert.Equal(2, (await Hits(alice, word, "&limit=2")).Count);
        Assert.Equal(3, (await Hits(alice, word)).Count);
    }

    public static TheoryData<string, string> BadSearches => new()
    {
        { "q=", "q" },
        { "q=%20%20", "q" },
        { "", "q" },
        { "q=" + new string('x', 201), "q" },
        { "q=hello&limit=0", "limit" },
        { "q=hello&limit=51", "limit" },
    };

    [Theory]
    [MemberData(nameof(BadSearches))]
    public async Task A_bad_search_is_a_validation_problem_naming_the_field(string query, string field)
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");

        var response = await alice.Http.GetAsync($"/api/chat/search?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("validation", problem.GetProperty("code").GetString());
        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task A_query_of_only_common_words_finds_nothing_rather_than_failing()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await Send(alice, new { receiverId = bob.Id, content = "the and of" });

        Assert.Empty(await Hits(alice, "the and of"));
        Assert.Empty(await Hits(alice, "!!! ???"));
    }

    // Needs PATCH /api/chat/messages/{id} (message editing).
    [Fact]
    public async Task Edited_away_text_is_no_longer_found_and_the_new_text_is()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var (before, after) = (Word(), Word());
        var messageId = (await SendTyped(alice, new { receiverId = bob.Id, content = $"meet at {before}" })).Message.Id;
        Assert.Single(await Hits(bob, before));

        var edit = await alice.Http.PatchAsJsonAsync($"/api/chat/messages/{messageId}", new { content = $"meet at {after}" });

        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        Assert.Empty(await Hits(bob, before));
        var hit = Assert.Single(await Hits(bob, after));
        Assert.Equal(messageId, hit.Message.Id);
        Assert.NotNull(hit.Message.EditedAt);
    }

    // Needs DELETE /api/chat/messages/{id} (message deletion).
    [Fact]
    public async Task Deleted_text_is_no_longer_found()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var word = Word();
        var messageId = (await SendTyped(alice, new { receiverId = bob.Id, content = $"oops, {word}" })).Message.Id;
        await Send(alice, new { receiverId = bob.Id, content = $"{word} stays" });

        var delete = await alice.Http.DeleteAsync($"/api/chat/messages/{messageId}");

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        foreach (var user in new[] { alice, bob })
            Assert.Equal($"{word} stays", Assert.Single(await Hits(user, word)).Message.Content);
    }

    /// <summary>A made-up word, letters only, that no other message of the run contains.</summary>
    private static string Word() =>
        "zq" + new string([.. Guid.NewGuid().ToString("N")[..12].Select(c => (char)('a' + c % 26))]);

    private static string Url(string q, string more = "") => $"/api/chat/search?q={Uri.EscapeDataString(q)}{more}";

    /// <summary>Read strictly, so that an empty list is an <c>items</c> that is there and empty, not one that is missing.</summary>
    private static async Task<IReadOnlyList<SearchHit>> Hits(TestUser user, string q, string more = "") =>
        (await user.Get<SearchResults>(Url(q, more))).Items;

}
