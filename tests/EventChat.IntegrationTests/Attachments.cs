using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EventChat.Application.Attachments;
using EventChat.Domain.Conversations;
using EventChat.IntegrationTests.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

/// <summary>
/// File sharing: uploads, who may download them, and the limits. The shared test server sets
/// <c>EventChat:Attachments:MaxBytes</c> to 1 MB so that "too big" stays cheap to send.
/// </summary>
public sealed class Attachments
{
    private const int MaxBytes = 1024 * 1024;

    [Fact]
    public async Task An_upload_is_downloaded_by_its_uploader_exactly_as_it_was_sent()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        // Bigger than the form reader's in-memory buffer, so the upload goes through its temp file too.
        var bytes = RandomBytes(300 * 1024);
        const string name = "Quartalsbericht – März.pdf";

        var response = await Upload(alice, bytes, name, "application/pdf");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var uploaded = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = uploaded.GetProperty("id").GetGuid();
        Assert.Equal(name, uploaded.GetProperty("fileName").GetString());
        Assert.Equal("application/pdf", uploaded.GetProperty("contentType").GetString());
        Assert.Equal(bytes.Length, uploaded.GetProperty("size").GetInt64());
        Assert.Equal($"/api/chat/attachments/{id}", uploaded.GetProperty("url").GetString());
        Assert.Equal($"/api/chat/attachments/{id}", response.Headers.Location?.OriginalString);

        var download = await alice.Http.GetAsync($"/api/chat/attachments/{id}");

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes.Length, download.Content.Headers.ContentLength);
        var disposition = download.Content.Headers.ContentDisposition;
        Assert.Equal("attachment", disposition?.DispositionType);
        Assert.Equal(name, disposition?.FileNameStar);
        AssertNeverRendered(download);

        using var range = new HttpRequestMessage(HttpMethod.Get, $"/api/chat/attachments/{id}") { Headers = { Range = new(10, 19) } };
        var part = await alice.Http.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(bytes[10..20], await part.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task An_uploads_record_is_in_the_table_the_operations_guide_names()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        var id = await UploadOk(alice, [1, 2, 3], "a.bin", "application/octet-stream");

        // Marten names the table after the type's name alone, so StoredAttachment may move between namespaces;
        // backups and the orphaned-files check in docs/operations.md read it by this name.
        await using var connection = await server.OpenDatabase();
        await using var rows = new NpgsqlCommand("select count(*) from mt_doc_storedattachment where id = $1", connection) { Parameters = { new() { Value = id } } };
        Assert.Equal(1L, await rows.ExecuteScalarAsync());
    }

    [Fact]
    public async Task An_outsider_gets_404_as_if_the_attachment_did_not_exist()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var mallory = await server.NewUser("mallory");
        var id = await UploadOk(alice, Encoding.UTF8.GetBytes("private notes"), "notes.txt", "text/plain");

        var existing = await mallory.Http.GetAsync($"/api/chat/attachments/{id}");
        var missing = await mallory.Http.GetAsync($"/api/chat/attachments/{Guid.CreateVersion7()}");

        Assert.Equal(HttpStatusCode.NotFound, existing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var (seen, unseen) = (await existing.Content.ReadFromJsonAsync<JsonElement>(), await missing.Content.ReadFromJsonAsync<JsonElement>());
        Assert.Equal("not_found", seen.GetProperty("code").GetString());
        Assert.Equal(unseen.GetProperty("detail").GetString(), seen.GetProperty("detail").GetString());
        Assert.Null(existing.Content.Headers.ContentDisposition);
    }

    [Fact]
    public async Task Attachments_need_a_token_both_ways()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        var id = await UploadOk(alice, [1, 2, 3], "a.bin", "application/octet-stream");
        using var anonymous = server.Http();

        var upload = await anonymous.PostAsync("/api/chat/attachments", Form([1, 2, 3], "a.bin", "application/octet-stream"));
        var download = await anonymous.GetAsync($"/api/chat/attachments/{id}");

        Assert.Equal(HttpStatusCode.Unauthorized, upload.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, download.StatusCode);
    }

    [Fact]
    public async Task A_participant_of_a_conversation_it_was_sent_in_downloads_it_and_an_outsider_does_not()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var bytes = RandomBytes(4096);
        var id = await UploadOk(alice, bytes, "photo.png", "image/png");
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Http.GetAsync($"/api/chat/attachments/{id}")).StatusCode);

        var delivery = await Send(alice, new { receiverId = bob.Id, content = "", messageType = "file", attachmentIds = new[] { id } });

        var attachment = Assert.Single(delivery.GetProperty("message").GetProperty("attachments").EnumerateArray());
        Assert.Equal(id, attachment.GetProperty("id").GetGuid());
        Assert.Equal("photo.png", attachment.GetProperty("fileName").GetString());
        Assert.Equal("image/png", attachment.GetProperty("contentType").GetString());
        Assert.Equal(bytes.Length, attachment.GetProperty("size").GetInt64());
        var fromBob = await bob.Http.GetAsync(attachment.GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.OK, fromBob.StatusCode);
        Assert.Equal(bytes, await fromBob.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", fromBob.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await carol.Http.GetAsync($"/api/chat/attachments/{id}")).StatusCode);
    }

    [Fact]
    public async Task Every_message_with_a_file_says_where_to_download_it_over_rest_the_hub_and_the_audit_trail()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var bobTab = await bob.OpenTab();
        var id = await UploadOk(alice, RandomBytes(100), "plan.pdf", "application/pdf");
        var url = $"/api/chat/attachments/{id}";

        var sent = await Send(alice, new { receiverId = bob.Id, content = "the plan", messageType = "file", attachmentIds = new[] { id } });
        var conversationId = ConversationId(sent);
        var pushed = await bobTab.Next("newMessage");
        var page = await bob.Get($"/api/chat/conversations/{conversationId}/messages");
        var trail = await bob.Get($"/api/chat/conversations/{conversationId}/events");

        var everywhere = new[]
        {
            sent.GetProperty("message"),
            pushed.GetProperty("message"),
            Assert.Single(page.GetProperty("items").EnumerateArray()),
            trail.GetProperty("items").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "MessageSent").GetProperty("data"),
        };
        Assert.All(everywhere, message => Assert.Equal(url, Assert.Single(message.GetProperty("attachments").EnumerateArray()).GetProperty("url").GetString()));
    }

    [Fact]
    public async Task An_event_stored_when_attachments_kept_their_url_still_reads()
    {
        var server = await EventChatServer.Instance;
        var serializer = server.App.Services.GetRequiredService<IDocumentStore>().Options.Serializer();
        var id = Guid.CreateVersion7();
        // As MessageSent was stored while the Domain's MessageAttachment had a Url property of its own.
        var stored = $$"""
            {"conversationId":"{{Guid.CreateVersion7()}}","messageId":"{{Guid.CreateVersion7()}}","senderId":"{{Guid.CreateVersion7()}}","content":"",
             "messageType":"file","sequence":2,"clientMessageId":null,"sentAt":"2026-01-01T00:00:00+00:00","replyToId":null,
             "attachments":[{"id":"{{id}}","fileName":"a.pdf","contentType":"application/pdf","size":10,"url":"/api/chat/attachments/{{id}}"}]}
            """;

        var sent = serializer.FromJson<MessageSent>(new MemoryStream(Encoding.UTF8.GetBytes(stored)));

        Assert.Equal([new MessageAttachment(id, "a.pdf", "application/pdf", 10)], sent.Attachments);
    }

    [Fact]
    public async Task Leaving_a_group_ends_access_to_the_files_shared_in_it()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = await alice.CreateGroup(bob);
        var id = await UploadOk(alice, RandomBytes(100), "plan.pdf", "application/pdf");
        await Send(alice, new { conversationId, content = "the plan", messageType = "file", attachmentIds = new[] { id } });
        Assert.Equal(HttpStatusCode.OK, (await bob.Http.GetAsync($"/api/chat/attachments/{id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await bob.Http.DeleteAsync($"/api/chat/conversations/{conversationId}/participants/{bob.Id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await bob.Http.GetAsync($"/api/chat/attachments/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.Http.GetAsync($"/api/chat/attachments/{id}")).StatusCode);
    }

    [Fact]
    public async Task Sending_someone_elses_attachment_is_not_found_and_grants_nothing()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var mallory = await server.NewUser("mallory");
        await using var accomplice = await server.NewUser("accomplice");
        var id = await UploadOk(alice, Encoding.UTF8.GetBytes("secret"), "secret.txt", "text/plain");

        var response = await mallory.Http.PostAsJsonAsync("/api/chat/messages",
            new { receiverId = accomplice.Id, content = "", messageType = "file", attachmentIds = new[] { id } });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.Http.GetAsync($"/api/chat/attachments/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await accomplice.Http.GetAsync($"/api/chat/attachments/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_file_one_byte_over_the_limit_is_rejected_and_stores_nothing()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");

        var response = await Upload(alice, new byte[MaxBytes + 1], "big.bin", "application/octet-stream");

        var problem = await AssertValidationProblem(response, "size");
        Assert.Contains("1 MB", problem.GetProperty("detail").GetString());
        await AssertNothingStored(server, alice);
    }

    [Fact]
    public async Task A_file_at_the_limit_is_accepted()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");

        var response = await Upload(alice, new byte[MaxBytes], "exactly.bin", "application/octet-stream");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task A_request_far_over_the_limit_is_refused_before_it_is_read()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");

        // As curl sends a large body: it waits for the server's go-ahead, so the refusal arrives before the body is
        // written. Without it the server answers and closes while the client is still writing, and the client may see
        // its write fail (a broken pipe) before it reads the answer.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chat/attachments") { Content = Form(new byte[2 * MaxBytes], "huge.bin", "application/octet-stream") };
        request.Headers.ExpectContinue = true;
        var response = await alice.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("validation", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        await AssertNothingStored(server, alice);
    }

    [Fact]
    public async Task An_empty_file_is_rejected_and_stores_nothing()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");

        var response = await Upload(alice, [], "empty.txt", "text/plain");

        var problem = await AssertValidationProblem(response, "size");
        Assert.Contains("empty", problem.GetProperty("detail").GetString());
        await AssertNothingStored(server, alice);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("folder/file.txt")]
    [InlineData("..\\..\\boot.ini")]
    [InlineData("C:\\Users\\me\\file.txt")]
    [InlineData("..")]
    [InlineData("line\nbreak.txt")]
    [InlineData("nul\0byte.txt")]
    [InlineData("invoice\u202Efdp.exe")]
    public async Task A_file_name_with_path_parts_or_control_characters_is_rejected_and_stores_nothing(string name)
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");

        var response = await Upload(alice, [1, 2, 3], name, "text/plain");

        await AssertValidationProblem(response, "fileName");
        await AssertNothingStored(server, alice);
    }

    [Fact]
    public async Task A_request_without_a_file_field_says_what_to_send()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        using var form = new MultipartFormDataContent { { new StringContent("hello"), "document" } };

        var response = await alice.Http.PostAsync("/api/chat/attachments", form);

        var problem = await AssertValidationProblem(response, "file");
        Assert.Contains("'file'", problem.GetProperty("detail").GetString());
        await AssertNothingStored(server, alice);
    }

    [Theory]
    [InlineData("page.html", "text/html")]
    [InlineData("page.html", "TEXT/HTML; charset=utf-8")]
    [InlineData("drawing.svg", "image/svg+xml")]
    [InlineData("page.xhtml", "application/xhtml+xml")]
    public async Task An_active_document_is_served_as_a_download_and_never_as_what_it_claims(string name, string contentType)
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        var bytes = Encoding.UTF8.GetBytes("<html><body><script>fetch('/api/chat/conversations')</script></body></html>");
        var id = await UploadOk(alice, bytes, name, contentType);

        var download = await alice.Http.GetAsync($"/api/chat/attachments/{id}");

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/octet-stream", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(name, download.Content.Headers.ContentDisposition?.FileNameStar);
        AssertNeverRendered(download);
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_file_without_a_content_type_is_plain_bytes()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");

        var response = await Upload(alice, [1, 2, 3], "mystery", contentType: null);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("application/octet-stream", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("contentType").GetString());
    }

    private static void AssertNeverRendered(HttpResponseMessage download)
    {
        Assert.Equal("nosniff", Assert.Single(download.Headers.GetValues("X-Content-Type-Options")));
        Assert.Contains("sandbox", Assert.Single(download.Headers.GetValues("Content-Security-Policy")));
    }

    private static async Task<JsonElement> AssertValidationProblem(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("validation", problem.GetProperty("code").GetString());
        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        return problem;
    }

    private static async Task AssertNothingStored(EventChatServer server, TestUser uploader)
    {
        await using var session = server.App.Services.GetRequiredService<IDocumentStore>().QuerySession();
        Assert.Equal(0, await session.Query<StoredAttachment>().CountAsync(a => a.UploaderId == uploader.Id));
    }

    internal static async Task<Guid> UploadOk(TestUser user, byte[] bytes, string fileName, string? contentType)
    {
        var response = await Upload(user, bytes, fileName, contentType);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static Task<HttpResponseMessage> Upload(TestUser user, byte[] bytes, string fileName, string? contentType) =>
        user.Http.PostAsync("/api/chat/attachments", Form(bytes, fileName, contentType));

    /// <summary>
    /// A form with one <c>file</c> part, as a browser sends it. The name goes as RFC 5987 <c>filename*</c>,
    /// which carries any character, so the server sees exactly the name under test.
    /// </summary>
    internal static MultipartFormDataContent Form(byte[] bytes, string fileName, string? contentType)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"file\"", FileNameStar = fileName };
        if (contentType is not null)
            file.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return new MultipartFormDataContent { file };
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }
}
