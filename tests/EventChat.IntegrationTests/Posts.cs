using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.Domain.Posts;
using EventChat.IntegrationTests.Infrastructure;
using EventChat.Projections;
using Marten;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace EventChat.IntegrationTests;

public sealed class Posts
{
    [Fact]
    public async Task Two_users_liking_at_the_same_moment_both_count()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var postId = await NewPost(alice);

        var responses = await Task.WhenAll(bob.Http.PostAsync($"/api/posts/{postId}/likes", null), carol.Http.PostAsync($"/api/posts/{postId}/likes", null));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var counts = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("likeCount").GetInt32()));
        Assert.Equal([1, 2], counts.Order());
        var post = await alice.Get($"/api/posts/{postId}");
        Assert.Equal(2, post.GetProperty("likeCount").GetInt32());
        Assert.Equal(new[] { bob.Id, carol.Id }.Order(), LikedBy(post).Order());
    }

    [Fact]
    public async Task Twenty_users_liking_at_once_over_the_hub_are_counted_exactly_and_the_author_hears_each()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        var authorEvents = await alice.OpenTab();
        var postId = await NewPost(alice);
        var likers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => server.NewUser("liker")));
        var tabs = await Task.WhenAll(likers.Select(l => l.OpenTab()));

        var results = await Task.WhenAll(tabs.Select(t => t.Invoke("like-post", new { postId })));

        // The stream lock serialises the likes, so each one saw the count the one before it left.
        Assert.Equal(Enumerable.Range(1, 20), results.Select(r => r.GetProperty("likeCount").GetInt32()).Order());
        Assert.All(results, r => Assert.Equal(postId, r.GetProperty("postId").GetGuid()));
        var post = await alice.Get($"/api/posts/{postId}");
        Assert.Equal(20, post.GetProperty("likeCount").GetInt32());
        Assert.Equal(likers.Select(l => l.Id).Order(), LikedBy(post).Order());
        var pushes = new List<JsonElement>();
        for (var i = 0; i < 20; i++)
            pushes.Add(await authorEvents.Next("post-liked"));
        Assert.Equal(likers.Select(l => l.Id).Order(), pushes.Select(p => p.GetProperty("userId").GetGuid()).Order());
        Assert.Equal(Enumerable.Range(1, 20), pushes.Select(p => p.GetProperty("likeCount").GetInt32()).Order());
        foreach (var liker in likers)
            await liker.DisposeAsync();
    }

    [Fact]
    public async Task Liking_twice_counts_once_even_when_the_two_likes_race()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var authorEvents = await alice.OpenTab();
        var bobTab = await bob.OpenTab();
        var postId = await NewPost(alice);

        var viaRest = bob.Http.PostAsync($"/api/posts/{postId}/likes", null);
        var viaHub = bobTab.Invoke("like-post", new { postId });
        await Task.WhenAll(viaRest, viaHub);
        var again = await bobTab.Invoke("like-post", new { postId });

        Assert.Equal(1, (await (await viaRest).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("likeCount").GetInt32());
        Assert.Equal(1, (await viaHub).GetProperty("likeCount").GetInt32());
        Assert.Equal(1, again.GetProperty("likeCount").GetInt32());
        Assert.Equal(1, (await alice.Get($"/api/posts/{postId}")).GetProperty("likeCount").GetInt32());
        Assert.Equal([bob.Id], LikedBy(await alice.Get($"/api/posts/{postId}")));
        await authorEvents.Next("post-liked");
        await bobTab.Invoke("comment-post", new { postId, content = "proves the author's tab is live" });
        await authorEvents.Next("post-commented");
        Assert.Empty(authorEvents.Received("post-liked"));
    }

    [Fact]
    public async Task Unliking_takes_the_like_back_once_and_a_repeat_changes_nothing()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var authorEvents = await alice.OpenTab();
        var bobTab = await bob.OpenTab();
        var postId = await NewPost(alice);
        await bobTab.Invoke("like-post", new { postId });

        var unliked = await bobTab.Invoke("unlike-post", new { postId });
        var again = await bob.Http.DeleteAsync($"/api/posts/{postId}/likes");
        var neverLiked = await alice.Http.DeleteAsync($"/api/posts/{postId}/likes");

        Assert.Equal(0, unliked.GetProperty("likeCount").GetInt32());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(0, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("likeCount").GetInt32());
        Assert.Equal(HttpStatusCode.OK, neverLiked.StatusCode);
        var post = await alice.Get($"/api/posts/{postId}");
        Assert.Equal(0, post.GetProperty("likeCount").GetInt32());
        Assert.Empty(LikedBy(post));
        await authorEvents.Next("post-liked");
        var pushed = await authorEvents.Next("post-unliked");
        Assert.Equal((postId, bob.Id, 0), (pushed.GetProperty("postId").GetGuid(), pushed.GetProperty("userId").GetGuid(), pushed.GetProperty("likeCount").GetInt32()));
        await bobTab.Invoke("like-post", new { postId });
        await authorEvents.Next("post-liked");
        Assert.Empty(authorEvents.Received("post-unliked"));
    }

    [Fact]
    public async Task The_author_hears_of_likes_and_comments_on_every_tab_without_joining_the_post()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var (aliceTab1, aliceTab2) = (await alice.OpenTab(), await alice.OpenTab());
        var bobTab = await bob.OpenTab();
        var postId = await NewPost(alice);

        await bobTab.Invoke("like-post", new { postId });
        var commented = await bobTab.Invoke("comment-post", new { postId, content = "Great post" });

        foreach (var tab in new[] { aliceTab1, aliceTab2 })
        {
            var liked = await tab.Next("post-liked");
            Assert.Equal((postId, bob.Id, 1), (liked.GetProperty("postId").GetGuid(), liked.GetProperty("userId").GetGuid(), liked.GetProperty("likeCount").GetInt32()));
            var comment = await tab.Next("post-commented");
            Assert.Equal(postId, comment.GetProperty("postId").GetGuid());
            Assert.Equal(1, comment.GetProperty("commentCount").GetInt64());
            Assert.Equal(bob.Id, comment.GetProperty("comment").GetProperty("authorId").GetGuid());
            Assert.Equal("Great post", comment.GetProperty("comment").GetProperty("content").GetString());
            Assert.Equal(commented.GetProperty("comment").GetProperty("id").GetGuid(), comment.GetProperty("comment").GetProperty("id").GetGuid());
        }
    }

    [Fact]
    public async Task An_author_who_also_joins_the_post_hears_each_update_once()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var aliceTab = await alice.OpenTab();
        var aliceEvents = aliceTab;
        var bobTab = await bob.OpenTab();
        var postId = await NewPost(alice);

        var joined = await aliceTab.Invoke("join-post", new { postId });
        await bobTab.Invoke("like-post", new { postId });

        Assert.Equal(postId, joined.GetProperty("postId").GetGuid());
        await aliceEvents.Next("post-liked");
        await bobTab.Invoke("comment-post", new { postId, content = "proves the author's tab is live" });
        await aliceEvents.Next("post-commented");
        Assert.Empty(aliceEvents.Received("post-liked"));
        Assert.Empty(aliceEvents.Received("post-commented"));
    }

    [Fact]
    public async Task Followers_who_joined_the_post_get_its_updates_until_they_leave_and_others_get_none()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        await using var dave = await server.NewUser("dave");
        var postId = await NewPost(alice);
        var (carolTab, daveTab) = (await carol.OpenTab(), await dave.OpenTab());
        var (carolEvents, daveEvents) = (carolTab, daveTab);
        var bobTab = await bob.OpenTab();
        await carolTab.Invoke("join-post", new { postId });

        await bobTab.Invoke("like-post", new { postId });
        await bobTab.Invoke("comment-post", new { postId, content = "first" });

        var liked = await carolEvents.Next("post-liked");
        Assert.Equal((bob.Id, 1), (liked.GetProperty("userId").GetGuid(), liked.GetProperty("likeCount").GetInt32()));
        Assert.Equal("first", (await carolEvents.Next("post-commented")).GetProperty("comment").GetProperty("content").GetString());

        var left = await carolTab.Invoke("leave-post", new { postId });
        await daveTab.Invoke("join-post", new { postId });
        await bobTab.Invoke("unlike-post", new { postId });

        Assert.Equal(postId, left.GetProperty("postId").GetGuid());
        Assert.Equal(0, (await daveEvents.Next("post-unliked")).GetProperty("likeCount").GetInt32());
        Assert.Empty(daveEvents.Received("post-liked"));
        Assert.Empty(daveEvents.Received("post-commented"));
        await carolTab.Invoke("join-post", new { postId });
        await bobTab.Invoke("like-post", new { postId });
        await carolEvents.Next("post-liked");
        Assert.Empty(carolEvents.Received("post-unliked"));
    }

    [Fact]
    public async Task Comments_page_in_order_and_the_post_shows_counts_likers_and_newest_comments()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var postId = await NewPost(alice, "My post");
        for (var i = 1; i <= 5; i++)
        {
            var response = await (i % 2 == 0 ? alice : bob).Http.PostAsJsonAsync($"/api/posts/{postId}/comments", new { content = $"c{i}" });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var created = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(i, created.GetProperty("commentCount").GetInt64());
            Assert.Equal(i, created.GetProperty("comment").GetProperty("sequence").GetInt64());
            Assert.Equal($"/api/posts/{postId}/comments?after={i - 1}&limit=1", response.Headers.Location?.ToString());
        }
        await bob.Http.PostAsync($"/api/posts/{postId}/likes", null);

        var first = await bob.Get($"/api/posts/{postId}/comments?limit=2");
        var second = await bob.Get($"/api/posts/{postId}/comments?after=2&limit=2");
        var last = await bob.Get($"/api/posts/{postId}/comments?after=4&limit=2");
        var everything = await bob.Get($"/api/posts/{postId}/comments");

        Assert.Equal(["c1", "c2"], Contents(first));
        Assert.True(first.GetProperty("hasMore").GetBoolean());
        Assert.Equal(["c3", "c4"], Contents(second));
        Assert.True(second.GetProperty("hasMore").GetBoolean());
        Assert.Equal(["c5"], Contents(last));
        Assert.False(last.GetProperty("hasMore").GetBoolean());
        Assert.Equal(["c1", "c2", "c3", "c4", "c5"], Contents(everything));
        var c2 = everything.GetProperty("items")[1];
        Assert.Equal((postId, alice.Id, 2L), (c2.GetProperty("postId").GetGuid(), c2.GetProperty("authorId").GetGuid(), c2.GetProperty("sequence").GetInt64()));
        var post = await bob.Get($"/api/posts/{postId}");
        Assert.Equal((postId, alice.Id, "My post"), (post.GetProperty("id").GetGuid(), post.GetProperty("authorId").GetGuid(), post.GetProperty("content").GetString()));
        Assert.Equal((1, 5L), (post.GetProperty("likeCount").GetInt32(), post.GetProperty("commentCount").GetInt64()));
        Assert.Equal([bob.Id], LikedBy(post));
        Assert.Equal(["c1", "c2", "c3", "c4", "c5"], post.GetProperty("recentComments").EnumerateArray().Select(c => c.GetProperty("content").GetString()));
    }

    [Fact]
    public async Task Creating_a_post_answers_201_with_the_post_and_its_location()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");

        var response = await alice.Http.PostAsJsonAsync("/api/posts", new { content = "Hello, world" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var post = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = post.GetProperty("id").GetGuid();
        Assert.Equal($"/api/posts/{id}", response.Headers.Location?.ToString());
        Assert.Equal((alice.Id, "Hello, world", 0, 0L), (post.GetProperty("authorId").GetGuid(), post.GetProperty("content").GetString(), post.GetProperty("likeCount").GetInt32(), post.GetProperty("commentCount").GetInt64()));
        Assert.Empty(LikedBy(post));
        Assert.Empty(post.GetProperty("recentComments").EnumerateArray());
        Assert.Equal(post.GetProperty("createdAt").GetDateTimeOffset(), (await alice.Get($"/api/posts/{id}")).GetProperty("createdAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Likes_and_comments_over_REST_answer_as_the_hub_does_and_push_the_same_events()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var authorEvents = await alice.OpenTab();
        var postId = await NewPost(alice);

        var liked = await bob.Http.PostAsync($"/api/posts/{postId}/likes", null);
        var commented = await bob.Http.PostAsJsonAsync($"/api/posts/{postId}/comments", new { content = "via REST" });

        var likeBody = await liked.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["postId", "likeCount"], likeBody.EnumerateObject().Select(p => p.Name));
        Assert.Equal((postId, 1), (likeBody.GetProperty("postId").GetGuid(), likeBody.GetProperty("likeCount").GetInt32()));
        var commentBody = await commented.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["postId", "comment", "commentCount"], commentBody.EnumerateObject().Select(p => p.Name));
        Assert.Equal(bob.Id, (await authorEvents.Next("post-liked")).GetProperty("userId").GetGuid());
        Assert.Equal("via REST", (await authorEvents.Next("post-commented")).GetProperty("comment").GetProperty("content").GetString());
    }

    [Fact]
    public async Task The_author_may_like_and_comment_on_their_own_post()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        var aliceTab = await alice.OpenTab();
        var events = aliceTab;
        var postId = await NewPost(alice);

        var liked = await aliceTab.Invoke("like-post", new { postId });
        var commented = await aliceTab.Invoke("comment-post", new { postId, content = "me too" });

        Assert.Equal(1, liked.GetProperty("likeCount").GetInt32());
        Assert.Equal(1, commented.GetProperty("commentCount").GetInt64());
        Assert.Equal(alice.Id, (await events.Next("post-liked")).GetProperty("userId").GetGuid());
        await events.Next("post-commented");
    }

    public static TheoryData<string> BadContents => new() { "empty", "blank", "too long" };

    private static string Content(string badness, int maxLength) => badness switch
    {
        "empty" => "",
        "blank" => "  \n ",
        "too long" => new string('x', maxLength + 1),
        _ => throw new ArgumentOutOfRangeException(nameof(badness)),
    };

    [Theory]
    [MemberData(nameof(BadContents))]
    public async Task A_post_with_bad_content_is_a_validation_problem_and_stores_nothing(string badness)
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");

        var response = await alice.Http.PostAsJsonAsync("/api/posts", new { content = Content(badness, 4000) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("validation", problem.GetProperty("code").GetString());
        Assert.Equal(["content"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        await using var session = server.App.Services.GetRequiredService<IDocumentStore>().QuerySession();
        Assert.Equal(0, await session.Query<PostView>().CountAsync(p => p.AuthorId == alice.Id));
    }

    [Fact]
    public async Task A_post_of_exactly_4000_characters_is_accepted()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");

        var postId = await NewPost(alice, new string('x', 4000));

        Assert.Equal(4000, (await alice.Get($"/api/posts/{postId}")).GetProperty("content").GetString()!.Length);
    }

    [Theory]
    [MemberData(nameof(BadContents))]
    public async Task A_bad_comment_fails_on_REST_and_the_hub_and_stores_and_pushes_nothing(string badness)
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var authorEvents = await alice.OpenTab();
        var bobTab = await bob.OpenTab();
        var postId = await NewPost(alice);
        var content = Content(badness, 2000);

        var response = await bob.Http.PostAsJsonAsync($"/api/posts/{postId}/comments", new { content });
        await Assert.ThrowsAsync<HubException>(() => bobTab.Invoke("comment-post", new { postId, content }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["content"], (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        var error = await bobTab.Next("error");
        Assert.Equal(("validation", "comment-post"), (error.GetProperty("code").GetString(), error.GetProperty("method").GetString()));
        Assert.Equal(0, (await bob.Get($"/api/posts/{postId}")).GetProperty("commentCount").GetInt64());
        Assert.Empty((await bob.Get($"/api/posts/{postId}/comments")).GetProperty("items").EnumerateArray());
        await bobTab.Invoke("like-post", new { postId });
        await authorEvents.Next("post-liked");
        Assert.Empty(authorEvents.Received("post-commented"));
    }

    [Fact]
    public async Task A_comment_of_exactly_2000_characters_is_accepted()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        var postId = await NewPost(alice);

        var response = await alice.Http.PostAsJsonAsync($"/api/posts/{postId}/comments", new { content = new string('x', 2000) });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("GET", "/comments")]
    [InlineData("POST", "/likes")]
    [InlineData("DELETE", "/likes")]
    [InlineData("POST", "/comments")]
    public async Task An_unknown_post_is_not_found_on_REST(string method, string path)
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        var postId = Guid.CreateVersion7();

        var response = await alice.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/api/posts/{postId}{path}")
        {
            Content = method == "GET" ? null : JsonContent.Create(new { content = "anyone?" }),
        });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("not_found", "Post was not found."), (problem.GetProperty("code").GetString(), problem.GetProperty("detail").GetString()));
        await using var session = server.App.Services.GetRequiredService<IDocumentStore>().QuerySession();
        Assert.Null(await session.LoadAsync<PostView>(postId));
        Assert.Empty(await session.Events.FetchStreamAsync(postId));
    }

    public static TheoryData<string, string, string> HubCases => new()
    {
        // method, payload ({unknown} is a post id that does not exist), expected code
        { "like-post", """{"postId": "{unknown}"}""", "not_found" },
        { "unlike-post", """{"postId": "{unknown}"}""", "not_found" },
        { "comment-post", """{"postId": "{unknown}", "content": "hi"}""", "not_found" },
        { "join-post", """{"postId": "{unknown}"}""", "not_found" },
        { "like-post", "{}", "validation" },
        { "like-post", """{"postId": 42}""", "validation" },
        { "comment-post", """{"content": "hi"}""", "validation" },
        { "join-post", "{}", "validation" },
        { "leave-post", "\"a string\"", "validation" },
    };

    [Theory]
    [MemberData(nameof(HubCases))]
    public async Task A_bad_post_call_on_the_hub_fails_with_its_error_code(string method, string payload, string code)
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        var tab = await alice.OpenTab();
        var json = JsonDocument.Parse(payload.Replace("{unknown}", Guid.CreateVersion7().ToString())).RootElement;

        await Assert.ThrowsAsync<HubException>(() => tab.Connection.InvokeCoreAsync(method, typeof(object), [json]));

        var error = await tab.Next("error");
        Assert.Equal((code, method), (error.GetProperty("code").GetString(), error.GetProperty("method").GetString()));
    }

    [Fact]
    public async Task Leaving_a_post_one_never_joined_or_that_does_not_exist_is_fine()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        var tab = await alice.OpenTab();
        var unknown = Guid.CreateVersion7();

        var left = await tab.Invoke("leave-post", new { postId = unknown });

        Assert.Equal(unknown, left.GetProperty("postId").GetGuid());
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=201")]
    [InlineData("after=-1")]
    [InlineData("limit=lots")]
    public async Task A_bad_comment_page_request_is_a_validation_problem(string query)
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        var postId = await NewPost(alice);

        var response = await alice.Http.GetAsync($"/api/posts/{postId}/comments?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("validation", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_feed_pages_every_post_newest_first_once_each_as_the_post_itself_reads()
    {
        // A database of its own, so the feed holds exactly this test's posts.
        await using var server = await EventChatServer.StartIsolated();
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var posts = new List<Guid>();
        for (var i = 0; i < 5; i++)
            posts.Add(await NewPost(i % 2 == 0 ? alice : bob, $"post {i}"));
        await bob.Http.PostAsync($"/api/posts/{posts[2]}/likes", null);
        await bob.Http.PostAsJsonAsync($"/api/posts/{posts[2]}/comments", new { content = "nice" });

        var pages = await bob.Pages("/api/posts?limit=2");

        Assert.Equal([2, 2, 1], pages.Select(p => p.Length));
        var listed = pages.SelectMany(p => p).ToList();
        Assert.Equal(posts.AsEnumerable().Reverse(), listed.Select(p => p.GetProperty("id").GetGuid()));
        var created = listed.Select(p => p.GetProperty("createdAt").GetDateTimeOffset()).ToList();
        Assert.Equal(created.OrderByDescending(at => at), created);
        foreach (var post in listed)
            Assert.Equal((await bob.Get($"/api/posts/{post.GetProperty("id").GetGuid()}")).GetRawText(), post.GetRawText());
        Assert.Equal(["nice"], listed[2].GetProperty("recentComments").EnumerateArray().Select(c => c.GetProperty("content").GetString()));
        // Without parameters: the first page of the default size, here all of them.
        var all = await bob.Get("/api/posts");
        Assert.Equal(listed.Select(p => p.GetRawText()), all.GetProperty("items").EnumerateArray().Select(p => p.GetRawText()));
        Assert.False(all.GetProperty("hasMore").GetBoolean());
    }

    [Fact]
    public async Task A_post_published_while_a_reader_pages_tops_the_feed_and_the_later_pages_neither_repeat_nor_skip()
    {
        await using var server = await EventChatServer.StartIsolated();
        await using var alice = await server.NewUser("alice");
        var posts = new List<Guid>();
        for (var i = 0; i < 4; i++)
            posts.Add(await NewPost(alice, $"post {i}"));
        var first = await alice.Get("/api/posts?limit=2");

        var newest = await NewPost(alice, "published meanwhile");
        var second = await alice.Get($"/api/posts?limit=2&before={first.GetProperty("cursor").GetString()}");

        Assert.Equal([posts[3], posts[2]], TestUser.Ids(first));
        Assert.Equal([posts[1], posts[0]], TestUser.Ids(second));
        Assert.False(second.GetProperty("hasMore").GetBoolean());
        Assert.Equal([newest, posts[3]], TestUser.Ids(await alice.Get("/api/posts?limit=2")));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("limit=lots", null)] // not a number: the framework's binding refuses it, naming no field
    [InlineData("before=not-a-cursor", "before")]
    [InlineData("before=AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "before")] // a cursor of the conversation list
    [InlineData("before=AwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "before")] // a cursor of the live-session list
    public async Task A_feed_request_with_a_limit_out_of_range_or_a_cursor_not_of_the_feed_is_a_validation_problem(string query, string? field)
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");

        var response = await alice.Http.GetAsync($"/api/posts?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("validation", problem.GetProperty("code").GetString());
        if (field is not null)
            Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task A_cursor_of_the_feed_itself_is_accepted()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");

        // The feed's format with the earliest time a cursor holds: nothing is older.
        var page = await alice.Get("/api/posts?before=AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");

        Assert.Empty(page.GetProperty("items").EnumerateArray());
        Assert.False(page.GetProperty("hasMore").GetBoolean());
        Assert.Equal(JsonValueKind.Null, page.GetProperty("cursor").ValueKind);
    }

    [Fact]
    public async Task Posts_need_a_signed_in_user()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        var postId = await NewPost(alice);
        using var anonymous = server.Http();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/posts/{postId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/posts")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/posts", new { content = "hi" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync($"/api/posts/{postId}/likes", null)).StatusCode);
    }

    private static async Task<Guid> NewPost(TestUser author, string content = "Hello from a post")
    {
        var response = await author.Http.PostAsJsonAsync("/api/posts", new { content });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static Guid[] LikedBy(JsonElement post) => [.. post.GetProperty("likedBy").EnumerateArray().Select(u => u.GetGuid())];

    private static string[] Contents(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("content").GetString()!)];
}
