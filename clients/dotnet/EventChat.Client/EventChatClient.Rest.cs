using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace EventChat.Client;

// The REST API, typed (docs/api.md). Every call carries the provider's latest token; one the server refuses is
// replaced once through the provider, so a token that expired between connections costs the app nothing.
public sealed partial class EventChatClient
{
    /// <summary>A page of the user's conversations, most recently active first (<c>listConversations</c>).</summary>
    /// <param name="before">The <see cref="ConversationPage.Cursor"/> of the page before; none for the first page.</param>
    public Task<ConversationPage> ConversationsAsync(string? before = null, int? limit = null, CancellationToken cancellationToken = default) =>
        Get<ConversationPage>("api/chat/conversations" + Query(("before", before), ("limit", limit)), cancellationToken);

    /// <summary>One conversation as the user sees it (<c>getConversation</c>).</summary>
    public Task<Conversation> ConversationAsync(Guid conversationId, CancellationToken cancellationToken = default) =>
        Get<Conversation>($"api/chat/conversations/{conversationId}", cancellationToken);

    /// <summary>
    /// A page of a conversation's messages in ascending <c>sequence</c> (<c>getMessages</c>): the newest without
    /// arguments, older ones with <paramref name="before"/>, newer ones with <paramref name="after"/>. Limit 1..200.
    /// </summary>
    public Task<MessagePage> MessagesAsync(Guid conversationId, long? before = null, long? after = null, int? limit = null, CancellationToken cancellationToken = default) =>
        Get<MessagePage>($"api/chat/conversations/{conversationId}/messages" + Query(("before", before), ("after", after), ("limit", limit)), cancellationToken);

    /// <summary>Marks everything up to and including the message read (<c>markRead</c>); the others get a receipt.</summary>
    public Task<ReadResult> MarkReadAsync(Guid conversationId, Guid messageId, CancellationToken cancellationToken = default) =>
        Send<ReadResult>(HttpMethod.Post, $"api/chat/conversations/{conversationId}/read", new { messageId }, cancellationToken);

    /// <summary>Creates a group with the user in it, as its owner (<c>createGroupConversation</c>).</summary>
    public Task<Conversation> CreateGroupAsync(IEnumerable<Guid> participantIds, string? title = null, CancellationToken cancellationToken = default) =>
        Send<Conversation>(HttpMethod.Post, "api/chat/conversations", new { participantIds = participantIds.ToList(), title }, cancellationToken);

    /// <summary>Adds users to a group (<c>addParticipants</c>).</summary>
    public Task<Conversation> AddParticipantsAsync(Guid conversationId, IEnumerable<Guid> userIds, CancellationToken cancellationToken = default) =>
        Send<Conversation>(HttpMethod.Post, $"api/chat/conversations/{conversationId}/participants", new { userIds = userIds.ToList() }, cancellationToken);

    /// <summary>Takes a user out of a group; the user's own id leaves it (<c>removeParticipant</c>).</summary>
    public Task RemoveParticipantAsync(Guid conversationId, Guid userId, CancellationToken cancellationToken = default) =>
        Send(HttpMethod.Delete, $"api/chat/conversations/{conversationId}/participants/{userId}", null, cancellationToken);

    /// <summary>Replaces the text of one of the user's messages (<c>editMessage</c>).</summary>
    public Task<Message> EditMessageAsync(Guid messageId, string content, CancellationToken cancellationToken = default) =>
        Send<Message>(HttpMethod.Patch, $"api/chat/messages/{messageId}", new { content }, cancellationToken);

    /// <summary>Deletes a message, leaving a tombstone (<c>deleteMessage</c>).</summary>
    public Task DeleteMessageAsync(Guid messageId, CancellationToken cancellationToken = default) =>
        Send(HttpMethod.Delete, $"api/chat/messages/{messageId}", null, cancellationToken);

    /// <summary>Every text a message has had (<c>getMessageVersions</c>).</summary>
    public Task<MessageVersions> MessageVersionsAsync(Guid messageId, CancellationToken cancellationToken = default) =>
        Get<MessageVersions>($"api/chat/messages/{messageId}/versions", cancellationToken);

    /// <summary>Full-text search over the messages the user can see (<c>searchMessages</c>).</summary>
    public Task<SearchResults> SearchAsync(string query, Guid? conversationId = null, int? limit = null, CancellationToken cancellationToken = default) =>
        Get<SearchResults>("api/chat/search" + Query(("q", query), ("conversationId", conversationId), ("limit", limit)), cancellationToken);

    /// <summary>The user with exactly this username, ignoring case (<c>findUser</c>).</summary>
    public Task<UserSummary> FindUserAsync(string username, CancellationToken cancellationToken = default) =>
        Get<UserSummary>("api/users" + Query(("username", username)), cancellationToken);

    /// <summary>The user, or one of their contacts, by id (<c>getUser</c>).</summary>
    public Task<UserSummary> UserAsync(Guid userId, CancellationToken cancellationToken = default) =>
        Get<UserSummary>($"api/users/{userId}", cancellationToken);

    /// <summary>Publishes a post, public to every signed-in user (<c>createPost</c>).</summary>
    public Task<Post> CreatePostAsync(string content, CancellationToken cancellationToken = default) =>
        Send<Post>(HttpMethod.Post, "api/posts", new { content }, cancellationToken);

    /// <summary>A page of the feed, every post newest first (<c>listPosts</c>).</summary>
    /// <param name="before">The <see cref="PostPage.Cursor"/> of the page before; none for the first page.</param>
    public Task<PostPage> PostsAsync(string? before = null, int? limit = null, CancellationToken cancellationToken = default) =>
        Get<PostPage>("api/posts" + Query(("before", before), ("limit", limit)), cancellationToken);

    /// <summary>One post with its counts, likers and newest comments (<c>getPost</c>).</summary>
    public Task<Post> PostAsync(Guid postId, CancellationToken cancellationToken = default) =>
        Get<Post>($"api/posts/{postId}", cancellationToken);

    /// <summary>Likes a post; liking one the user already likes changes nothing (<c>likePost</c>).</summary>
    public Task<LikeResult> LikePostAsync(Guid postId, CancellationToken cancellationToken = default) =>
        Send<LikeResult>(HttpMethod.Post, $"api/posts/{postId}/likes", null, cancellationToken);

    /// <summary>Takes the user's like back; unliking one the user does not like changes nothing (<c>unlikePost</c>).</summary>
    public Task<LikeResult> UnlikePostAsync(Guid postId, CancellationToken cancellationToken = default) =>
        Send<LikeResult>(HttpMethod.Delete, $"api/posts/{postId}/likes", null, cancellationToken);

    /// <summary>Comments on a post (<c>commentOnPost</c>).</summary>
    public Task<CommentResult> CommentOnPostAsync(Guid postId, string content, CancellationToken cancellationToken = default) =>
        Send<CommentResult>(HttpMethod.Post, $"api/posts/{postId}/comments", new { content }, cancellationToken);

    /// <summary>
    /// A page of a post's comments in ascending <c>sequence</c> (<c>getComments</c>): the oldest <paramref name="limit"/>
    /// after <paramref name="after"/> (0, the default, is from the first). Limit 1..200.
    /// </summary>
    public Task<CommentPage> CommentsAsync(Guid postId, long? after = null, int? limit = null, CancellationToken cancellationToken = default) =>
        Get<CommentPage>($"api/posts/{postId}/comments" + Query(("after", after), ("limit", limit)), cancellationToken);

    /// <summary>Starts a live session with the user as its host (<c>startLiveSession</c>); viewers join and chat over the hub.</summary>
    public Task<LiveSession> StartLiveSessionAsync(string title, CancellationToken cancellationToken = default) =>
        Send<LiveSession>(HttpMethod.Post, "api/streams", new { title }, cancellationToken);

    /// <summary>A page of the sessions in one state (live unless asked), most recently started first (<c>listLiveSessions</c>).</summary>
    /// <param name="before">The <see cref="LiveSessionPage.Cursor"/> of the page before, asked with the same state; none for the first page.</param>
    public Task<LiveSessionPage> LiveSessionsAsync(LiveSessionState? state = null, string? before = null, int? limit = null, CancellationToken cancellationToken = default) =>
        Get<LiveSessionPage>("api/streams" + Query(("state", state is { } s ? Wire.Name(s) : null), ("before", before), ("limit", limit)), cancellationToken);

    /// <summary>One live session (<c>getLiveSession</c>).</summary>
    public Task<LiveSession> LiveSessionAsync(Guid sessionId, CancellationToken cancellationToken = default) =>
        Get<LiveSession>($"api/streams/{sessionId}", cancellationToken);

    /// <summary>Ends a live session, as its host or a moderator (<c>endLiveSession</c>); ending an ended one changes nothing.</summary>
    public Task<LiveSession> EndLiveSessionAsync(Guid sessionId, CancellationToken cancellationToken = default) =>
        Send<LiveSession>(HttpMethod.Post, $"api/streams/{sessionId}/end", null, cancellationToken);

    /// <summary>Stops a user from chatting in a live session (they may still watch), as its host or a moderator (<c>banFromStream</c>).</summary>
    public Task BanFromLiveSessionAsync(Guid sessionId, Guid userId, CancellationToken cancellationToken = default) =>
        Send(HttpMethod.Post, $"api/streams/{sessionId}/bans", new { userId }, cancellationToken);

    /// <summary>Takes a chat message of a live session down, as its host or a moderator (<c>takeDownStreamMessage</c>).</summary>
    public Task TakeDownLiveSessionMessageAsync(Guid sessionId, Guid messageId, CancellationToken cancellationToken = default) =>
        Send(HttpMethod.Delete, $"api/streams/{sessionId}/messages/{messageId}", null, cancellationToken);

    /// <summary>
    /// Uploads a file to send in a message's <see cref="SendMessageRequest.AttachmentIds"/> (<c>uploadAttachment</c>).
    /// The content is read into memory first, so a refused token can be replaced and the upload repeated.
    /// </summary>
    public async Task<MessageAttachment> UploadAttachmentAsync(Stream content, string fileName, string contentType, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        var bytes = buffer.ToArray();
        using var response = await Call(HttpMethod.Post, "api/chat/attachments", () =>
        {
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            return new MultipartFormDataContent { { file, "file", fileName } };
        }, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await ReadBody<MessageAttachment>(response, cancellationToken);
    }

    /// <summary>Downloads an attachment (<c>downloadAttachment</c>); dispose the stream when done.</summary>
    public async Task<Stream> DownloadAttachmentAsync(Guid attachmentId, CancellationToken cancellationToken = default)
    {
        var response = await Call(HttpMethod.Get, $"api/chat/attachments/{attachmentId}", () => null, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return await response.Content.ReadAsStreamAsync(cancellationToken);
    }

    private async Task<T> Get<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await Call(HttpMethod.Get, path, () => null, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await ReadBody<T>(response, cancellationToken);
    }

    /// <param name="body">The JSON body; null for a call that takes none.</param>
    private async Task<T> Send<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var response = await Call(method, path, Json(body), HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await ReadBody<T>(response, cancellationToken);
    }

    /// <summary>A call that answers nothing (<c>204</c>).</summary>
    private async Task Send(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var response = await Call(method, path, Json(body), HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    private static Func<HttpContent?> Json(object? body) => () => body is null ? null : JsonContent.Create(body, options: Wire.Options);

    private static async Task<T> ReadBody<T>(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync<T>(Wire.Options, cancellationToken)
        ?? throw new EventChatError(EventChatError.UnknownCode, "The server answered with an empty body.", (int)response.StatusCode);

    /// <summary>A successful response, or the server's refusal as an <see cref="EventChatError"/>.</summary>
    private async Task<HttpResponseMessage> Call(HttpMethod method, string path, Func<HttpContent?> content, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var response = await Attempt(_token ?? await FreshToken(cancellationToken));
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            response.Dispose();
            response = await Attempt(await FreshToken(cancellationToken));
        }
        if (response.IsSuccessStatusCode)
            return response;
        using (response)
            throw await RestErrors.From(response, cancellationToken);

        async Task<HttpResponseMessage> Attempt(string token)
        {
            using var request = new HttpRequestMessage(method, path) { Content = content() };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return await _http.SendAsync(request, completion, cancellationToken);
        }
    }

    private async Task<string> FreshToken(CancellationToken cancellationToken) => _token = await _options.AccessTokenProvider(cancellationToken);

    private static string Query(params (string Name, object? Value)[] parameters)
    {
        var given = parameters.Where(p => p.Value is not null)
            .Select(p => $"{p.Name}={Uri.EscapeDataString(Convert.ToString(p.Value, CultureInfo.InvariantCulture)!)}")
            .ToList();
        return given.Count == 0 ? "" : "?" + string.Join('&', given);
    }
}

/// <summary>REST refusals: RFC 7807 problem details with the contract's <c>code</c>, or a bare status.</summary>
internal static class RestErrors
{
    private sealed record Problem(string? Title, string? Detail, string? Code, Dictionary<string, string[]>? Errors);

    public static async Task<EventChatError> From(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        Problem? problem = null;
        try
        {
            if (response.Content.Headers.ContentLength is not 0)
                problem = await response.Content.ReadFromJsonAsync<Problem>(Wire.Options, cancellationToken);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            // Kestrel refuses some requests with an empty or non-JSON body; the status says enough.
        }
        var retryAfter = response.Headers.RetryAfter is { } retry ? retry.Delta ?? retry.Date - DateTimeOffset.UtcNow : null;
        return new EventChatError(problem?.Code ?? CodeOf(status), problem?.Detail ?? problem?.Title ?? response.ReasonPhrase ?? $"HTTP {status}",
            status, errors: problem?.Errors, retryAfter: retryAfter);
    }

    public static EventChatError FromStatus(int status, Exception cause) => new(CodeOf(status), cause.Message, status, innerException: cause);

    // The codes docs/api.md gives each status ("Errors on REST").
    private static string CodeOf(int status) => status switch
    {
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        429 => "rate_limited",
        503 => "unavailable",
        >= 400 and < 500 => "validation",
        _ => "internal",
    };
}
