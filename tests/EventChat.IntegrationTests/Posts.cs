using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.Client;
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
        var counts = await Task.WhenAll(responses.Select(async r => (await r.Read<LikeResult>()).LikeCount));
        Assert.Equal([1, 2], counts.Order());
        var post = await alice.Client.PostAsync(postId);
        Assert.Equal(2, post.LikeCount);
        Assert.Equal(new[] { bob.Id, carol.Id }.Order(), post.LikedBy.Order());
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

        var results = (await Task.WhenAll(tabs.Select(t => t.Invoke("like-post", new { postId })))).Select(r => r.As<LikeResult>()).ToList();

        // The stream lock serialises the likes, so each one saw the count the one before it left.
        Assert.Equal(Enumerable.Range(1, 20), results.Select(r => r.LikeCount).Order());
        Assert.All(results, r => Assert.Equal(postId, r.PostId));
        var post = await alice.Client.PostAsync(postId);
        Assert.Equal(20, post.LikeCount);
        Assert.Equal(likers.Select(l => l.Id).Order(), post.LikedBy.Order());
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

        Assert.Equal(1, (await (await viaRest).Read<LikeResult>()).LikeCount);
        Assert.Equal(1, (await viaHub).As<LikeResult>().LikeCount);
        Assert.Equal(1, again.As<LikeResult>().LikeCount);
        var post = await alice.Client.PostAsync(postId);
        Assert.Equal(1, post.LikeCount);
        Assert.Equal([bob.Id], post.LikedBy);
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

        Assert.Equal(0, unliked.As<LikeResult>().LikeCount);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(0, (await again.Read<LikeResult>()).LikeCount);
        Assert.Equal(HttpStatusCode.OK, neverLiked.StatusCode);
        var post = await alice.Get<Post>($"/api/posts/{postId}");
        Assert.Equal(0, post.LikeCount);
        Assert.Empty(post.LikedBy);
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
        var commented = (await bobTab.Invoke("comment-post", new { postId, content = "Great post" })).As<CommentResult>();

        foreach (var tab in new[] { aliceTab1, aliceTab2 })
        {
            var liked = await tab.Next("post-liked");
            Assert.Equal((postId, bob.Id, 1), (liked.GetProperty("postId").GetGuid(), liked.GetProperty("userId").GetGuid(), liked.GetProperty("likeCount").GetInt32()));
            var pushed = await tab.Next<CommentResult>("post-commented");
            Assert.Equal(postId, pushed.PostId);
            Assert.Equal(1, pushed.CommentCount);
            Assert.Equal(bob.Id, pushed.Comment.AuthorId);
            Assert.Equal("Great post", pushed.Comment.Content);
            Assert.Equal(commented.Comment.Id, pushed.Comment.Id);
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
        Assert.Equal("first", (await carolEvents.Next<CommentResult>("post-commented")).Comment.Content);

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
            var created = await response.Read<CommentResult>();
            Assert.Equal(i, created.CommentCount);
            Assert.Equal(i, created.Comment.Sequence);
            Assert.Equal($"/api/posts/{postId}/comments?after={i - 1}&limit=1", response.Headers.Location?.ToString());
        }
        await bob.Client.LikePostAsync(postId);

        var first = await bob.Get<CommentPage>($"/api/posts/{postId}/comments?limit=2");
        var second = await bob.Get<CommentPage>($"/api/posts/{postId}/comments?after=2&limit=2");
        var last = await bob.Get<CommentPage>($"/api/posts/{postId}/comments?after=4&limit=2");
        var everything = await bob.Get<CommentPage>($"/api/posts/{postId}/comments");

        Assert.Equal(["c1", "c2"], Contents(first.Items));
        Assert.True(first.HasMore);
        Assert.Equal(["c3", "c4"], Contents(second.Items));
        Assert.True(second.HasMore);
        Assert.Equal(["c5"], Contents(last.Items));
        Assert.False(last.HasMore);
        Assert.Equal(["c1", "c2", "c3", "c4", "c5"], Contents(everything.Items));
        var c2 = everything.Items[1];
        Assert.Equal((postId, alice.Id, 2L), (c2.PostId, c2.AuthorId, c2.Sequence));
        var post = await bob.Client.PostAsync(postId);
        Assert.Equal((postId, alice.Id, "My post"), (post.Id, post.AuthorId, post.Content));
        Assert.Equal((1, 5L), (post.LikeCount, post.CommentCount));
        Assert.Equal([bob.Id], post.LikedBy);
        Assert.Equal(["c1", "c2", "c3", "c4", "c5"], Contents(post.RecentComments));
    }

    [Fact]
    public async Task Creating_a_post_answers_201_with_the_post_and_its_location()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");

        var response = await alice.Http.PostAsJsonAsync("/api/posts", new { content = "Hello, world" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var post = await response.Read<Post>();
        Assert.Equal($"/api/posts/{post.Id}", response.Headers.Location?.ToString());
        Assert.Equal((alice.Id, "Hello, world", 0, 0L), (post.AuthorId, post.Content, post.LikeCount, post.CommentCount));
        Assert.Empty(post.LikedBy);
        Assert.Empty(post.RecentComments);
        Assert.Equal(post.CreatedAt, (await alice.Client.PostAsync(post.Id)).CreatedAt);
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
        Assert.Equal("via REST", (await authorEvents.Next<CommentResult>("post-commented")).Comment.Content);
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

        Assert.Equal(1, liked.As<LikeResult>().LikeCount);
        Assert.Equal(1, commented.As<CommentResult>().CommentCount);
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

        Assert.Equal(4000, (await alice.Client.PostAsync(postId)).Content.Length);
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
        Assert.Equal(0, (await bob.Get<Post>($"/api/posts/{postId}")).CommentCount);
        Assert.Empty((await bob.Get<CommentPage>($"/api/posts/{postId}/comments")).Items);
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
        await bob.Client.LikePostAsync(posts[2]);
        await bob.Client.CommentOnPostAsync(posts[2], "nice");

        // Raw pages: the items must be the posts byte for byte as GET /api/posts/{id} answers them.
        var pages = await bob.Pages("/api/posts?limit=2");

        Assert.Equal([2, 2, 1], pages.Select(p => p.Length));
        var listed = pages.SelectMany(p => p).ToList();
        var typed = listed.Select(p => p.As<Post>()).ToList();
        Assert.Equal(posts.AsEnumerable().Reverse(), typed.Select(p => p.Id));
        var created = typed.Select(p => p.CreatedAt).ToList();
        Assert.Equal(created.OrderByDescending(at => at), created);
        foreach (var post in listed)
            Assert.Equal((await bob.Get($"/api/posts/{post.As<Post>().Id}")).GetRawText(), post.GetRawText());
        Assert.Equal(["nice"], Contents(typed[2].RecentComments));
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
        var first = await alice.Client.PostsAsync(limit: 2);

        var newest = await NewPost(alice, "published meanwhile");
        var second = await alice.Get<PostPage>($"/api/posts?limit=2&before={first.Cursor}");

        Assert.Equal([posts[3], posts[2]], Ids(first));
        Assert.Equal([posts[1], posts[0]], Ids(second));
        Assert.False(second.HasMore);
        Assert.Equal([newest, posts[3]], Ids(await alice.Client.PostsAsync(limit: 2)));
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

    private static async Task<Guid> NewPost(TestUser author, string content = "Hello from a post") =>
        (await author.Client.CreatePostAsync(content)).Id;

    private static Guid[] Ids(PostPage page) => [.. page.Items.Select(p => p.Id)];

    private static string[] Contents(IEnumerable<Comment> comments) => [.. comments.Select(c => c.Content)];
}
