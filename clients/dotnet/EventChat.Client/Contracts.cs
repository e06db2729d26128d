namespace EventChat.Client;

// The wire's objects, named as the server's /openapi/v1.json names their schemas (docs/api.md, "Objects"). Positional
// records, so System.Text.Json reads them through their constructors and an app gets immutable values.

/// <summary>What a message is: <c>text</c>, or a file of some kind; <c>system</c> only for messages the server writes.</summary>
public enum MessageType
{
    Text,
    Image,
    File,
    Audio,
    Video,
    System,
}

/// <summary><c>direct</c>: exactly two users, an id derived from the pair. <c>group</c>: created, with members added and removed.</summary>
public enum ConversationKind
{
    Direct,
    Group,
}

/// <summary><c>sent</c> on the sender's connections, <c>delivered</c> on everyone else's.</summary>
public enum DeliveryStatus
{
    Sent,
    Delivered,
}

/// <summary>
/// One message. <see cref="Sequence"/> is its place in its conversation: strictly increasing, with gaps (reads, edits and
/// membership changes take numbers too). A deleted message is a tombstone: empty <see cref="Content"/>, no attachments,
/// <see cref="DeletedAt"/> set.
/// </summary>
public sealed record Message(
    Guid Id,
    Guid ConversationId,
    Guid SenderId,
    string Content,
    MessageType MessageType,
    long Sequence,
    DateTimeOffset SentAt,
    string? ClientMessageId,
    IReadOnlyList<MessageAttachment> Attachments,
    Guid? ReplyToId = null,
    DateTimeOffset? EditedAt = null,
    DateTimeOffset? DeletedAt = null,
    ReplyPreview? ReplyTo = null,
    DateTimeOffset? ErasedAt = null);

/// <summary>A file a message carries, as it was when sent; <see cref="Url"/> downloads it (with the token).</summary>
public sealed record MessageAttachment(Guid Id, string FileName, string ContentType, long Size, string Url);

/// <summary>The message a reply answers, as it is now; <see cref="Excerpt"/> is null once that message is deleted.</summary>
public sealed record ReplyPreview(Guid Id, Guid SenderId, string? Excerpt);

/// <summary>
/// A conversation as the caller sees it: <see cref="UnreadCount"/> is the caller's own, <see cref="ReadUpTo"/> every
/// participant's read pointer (a message <c>sequence</c>).
/// </summary>
public sealed record Conversation(
    Guid Id,
    ConversationKind Kind,
    string? Title,
    IReadOnlyList<Guid> ParticipantIds,
    DateTimeOffset CreatedAt,
    Message? LastMessage,
    long LastSequence,
    int UnreadCount,
    IReadOnlyDictionary<Guid, long> ReadUpTo,
    DateTimeOffset LastActivityAt);

/// <summary>
/// A stored message with its conversation: what <c>sendMessage</c> answers and what <c>messageSent</c> and
/// <c>newMessage</c> push. <see cref="PreviousSequence"/> is the sequence of the message before it in its
/// conversation (0 for the first), which is how the SDK tells a missed message from a gap in the numbering.
/// </summary>
public sealed record MessageDelivery(Message Message, Conversation Conversation, DeliveryStatus Status, long PreviousSequence);

/// <summary><see cref="ReadBy"/> has read everything up to and including <see cref="MessageId"/>.</summary>
public sealed record ReadReceipt(Guid ConversationId, Guid MessageId, Guid ReadBy, DateTimeOffset ReadAt);

/// <summary>The answer to marking a message read: the caller's unread count after it.</summary>
public sealed record ReadResult(Guid ConversationId, Guid MessageId, int UnreadCount);

/// <summary>Someone else started or stopped typing in one of the caller's conversations.</summary>
public sealed record TypingChanged(Guid ConversationId, Guid UserId, bool IsTyping);

/// <summary>The wire's <c>userOnline</c>/<c>userOffline</c> payload.</summary>
public sealed record PresenceChanged(Guid UserId, DateTimeOffset Timestamp);

/// <summary>A page of a conversation's messages, ascending by <c>sequence</c>.</summary>
public sealed record MessagePage(IReadOnlyList<Message> Items, bool HasMore);

/// <summary>A page of the caller's conversations, most recently active first; pass <see cref="Cursor"/> as <c>before</c> for the next.</summary>
public sealed record ConversationPage(IReadOnlyList<Conversation> Items, bool HasMore, string? Cursor);

/// <summary>A user as anyone may see them.</summary>
public sealed record UserSummary(Guid UserId, string Username, string DisplayName);

/// <summary>Every text a message has had, oldest first; empty once it is deleted.</summary>
public sealed record MessageVersions(Guid MessageId, IReadOnlyList<MessageVersion> Items, DateTimeOffset? DeletedAt);

/// <summary>One text of a message: the first is as sent, each later one an edit (with the edit's own stream position).</summary>
public sealed record MessageVersion(string Content, long Sequence, DateTimeOffset At);

/// <summary>Search hits, best first.</summary>
public sealed record SearchResults(IReadOnlyList<SearchHit> Items);

/// <summary>One message that matched a search, with a snippet around the match.</summary>
public sealed record SearchHit(Message Message, Guid ConversationId, double Rank, string Snippet);

/// <summary>
/// A page of the caller's sync feed: every event of their conversations in commit order. <see cref="Cursor"/> means
/// "you have everything up to here"; <see cref="HasMore"/> says to call again at once.
/// </summary>
public sealed record SyncPage(IReadOnlyList<SyncItem> Items, string Cursor, bool HasMore);

/// <summary>One event of the sync feed; exactly one of <see cref="Message"/>, <see cref="Receipt"/>, <see cref="Membership"/> is set.</summary>
/// <param name="Type"><c>MessageSent</c>, <c>MessageEdited</c>, <c>MessageDeleted</c>, <c>MessagesMarkedRead</c>,
/// <c>ConversationStarted</c>, <c>ParticipantAdded</c>, <c>ParticipantRemoved</c> or <c>ParticipantLeft</c>.</param>
/// <param name="Version">The event's position in its conversation (a message's sequence for <c>MessageSent</c>).</param>
public sealed record SyncItem(
    string Type,
    Guid ConversationId,
    long Version,
    DateTimeOffset At,
    Message? Message = null,
    SyncReceipt? Receipt = null,
    SyncMembership? Membership = null);

/// <summary>A read in the sync feed: <see cref="ReadBy"/> read up to <see cref="MessageId"/> (at <see cref="Sequence"/>).</summary>
public sealed record SyncReceipt(Guid ReadBy, Guid MessageId, long Sequence);

/// <summary>Who joined or went, and who did it; for <c>ConversationStarted</c> also the kind and title.</summary>
public sealed record SyncMembership(IReadOnlyList<Guid> UserIds, Guid By, ConversationKind? Kind = null, string? Title = null);

/// <summary>What changed in a conversation's membership, as the <see cref="EventChatClient.Membership"/> event tells it.</summary>
public enum MembershipChangeType
{
    ConversationStarted,
    ParticipantAdded,
    ParticipantRemoved,
    ParticipantLeft,
}

/// <summary>
/// A conversation began, or someone joined or went. <see cref="UserIds"/> are who joined or went (for a start: the first
/// participants), <see cref="By"/> who did it; <see cref="Kind"/> and <see cref="Title"/> come with a start only.
/// </summary>
public sealed record MembershipChange(
    MembershipChangeType Type,
    Guid ConversationId,
    long Version,
    DateTimeOffset At,
    IReadOnlyList<Guid> UserIds,
    Guid By,
    ConversationKind? Kind,
    string? Title);

/// <summary>A contact's first connection opened (<see cref="IsOnline"/>) or their last one closed.</summary>
public sealed record PresenceChange(Guid UserId, bool IsOnline, DateTimeOffset Timestamp);

/// <summary>
/// A post, public to every signed-in user: its counts, every current liker (oldest like first) and its newest comments
/// (at most 20, oldest first); page the rest with <see cref="EventChatClient.CommentsAsync"/>.
/// </summary>
public sealed record Post(
    Guid Id,
    Guid AuthorId,
    string Content,
    DateTimeOffset CreatedAt,
    int LikeCount,
    long CommentCount,
    IReadOnlyList<Guid> LikedBy,
    IReadOnlyList<Comment> RecentComments);

/// <summary>A comment on a post; <see cref="Sequence"/> numbers a post's comments 1, 2, 3, … without gaps.</summary>
public sealed record Comment(Guid Id, Guid PostId, Guid AuthorId, string Content, long Sequence, DateTimeOffset CreatedAt);

/// <summary>A page of the feed, newest first; pass <see cref="Cursor"/> as <c>before</c> for the next (null when empty).</summary>
public sealed record PostPage(IReadOnlyList<Post> Items, bool HasMore, string? Cursor);

/// <summary>A page of a post's comments, ascending by <c>sequence</c>; <see cref="HasMore"/> says newer ones follow.</summary>
public sealed record CommentPage(IReadOnlyList<Comment> Items, bool HasMore);

/// <summary>What a like or an unlike answers: the post's like count right after it.</summary>
public sealed record LikeResult(Guid PostId, int LikeCount);

/// <summary>What a comment answers: the stored comment and the post's comment count right after it.</summary>
public sealed record CommentResult(Guid PostId, Comment Comment, long CommentCount);

/// <summary>Whether a live session can be joined now (<c>live</c>) or is over (<c>ended</c>).</summary>
public enum LiveSessionState
{
    Live,
    Ended,
}

/// <summary>
/// A live session, public to every signed-in user. <see cref="ViewerCount"/> counts users watching now (0 once ended);
/// <see cref="MessageCount"/> the chat messages posted minus those taken down.
/// </summary>
public sealed record LiveSession(
    Guid Id,
    string Title,
    Guid HostId,
    LiveSessionState State,
    int ViewerCount,
    int MessageCount,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt);

/// <summary>A page of the sessions in one state, most recently started first; pass <see cref="Cursor"/> as <c>before</c> for the next (null when empty).</summary>
public sealed record LiveSessionPage(IReadOnlyList<LiveSession> Items, bool HasMore, string? Cursor);

/// <summary>Where the client's connection to the hub stands, for the app's banner.</summary>
public enum ConnectionState
{
    Disconnected,
    Connecting,
    Connected,
    Reconnecting,
}

/// <summary>
/// A message to send: exactly one of <see cref="ReceiverId"/> (the direct conversation with that user, started on first
/// use) or <see cref="ConversationId"/>. <see cref="ClientMessageId"/> is filled in by the SDK when left out.
/// </summary>
public sealed record SendMessageRequest
{
    public Guid? ReceiverId { get; init; }

    public Guid? ConversationId { get; init; }

    public string? Content { get; init; }

    /// <summary>Left out: <c>text</c>, or <c>file</c> with attachments.</summary>
    public MessageType? MessageType { get; init; }

    /// <summary>The app's own id for this message; a repeat of it in the same conversation stores nothing new.</summary>
    public string? ClientMessageId { get; init; }

    /// <summary>Files the sender uploaded (<see cref="EventChatClient.UploadAttachmentAsync"/>), at most 10.</summary>
    public IReadOnlyList<Guid>? AttachmentIds { get; init; }

    public Guid? ReplyToId { get; init; }
}
