using EventChat.Domain.Users;
using JasperFx.Events.Projections;
using Marten;
using Weasel.Postgresql.Tables;

namespace EventChat.Projections;

public static class ProjectionsSetup
{
    /// <summary>Every projection, index and table EventChat's reads rely on, in one place.</summary>
    public static StoreOptions AddEventChatProjections(this StoreOptions opts)
    {
        // Write models, snapshotted inline so a send reads one row instead of replaying the stream.
        opts.Projections.Add<ConversationSnapshot>(ProjectionLifecycle.Inline, InLargePages);
        opts.Projections.Add<UserAccountSnapshot>(ProjectionLifecycle.Inline, InLargePages);
        opts.Schema.For<UserAccount>().UniqueIndex(x => x.NormalizedUsername);

        opts.Projections.Add<ConversationViewProjection>(ProjectionLifecycle.Inline, InLargePages);
        opts.Projections.Add<MessageViewProjection>(ProjectionLifecycle.Inline, InLargePages);
        // Conversation lists, contacts, sync, search, export and downloads ask which conversations a user is in
        // (ConversationMembership); an index over the whole view would take entries on every send.
        opts.Schema.For<ConversationView>().Index(x => x.ParticipantIds, index =>
        {
            index.Name = "mt_doc_conversationview_participants";
            index.ToGinWithJsonbPathOps();
            index.WithoutPendingList();
        });
        // Duplicated into columns for the composite indexes below, without an index of their own (which Schema.For's
        // Duplicate would add): every query that filters on one of them is served by a composite index, and each index
        // is one more write per change.
        opts.Policies.ForAllDocuments(mapping =>
        {
            foreach (var member in IndexedOnlyTogether.GetValueOrDefault(mapping.DocumentType, []))
                mapping.DuplicateField(member);
        });
        opts.Schema.For<MessageView>()
            // Export asks which conversations a user wrote in.
            .Duplicate(x => x.SenderId)
            // History, sync, export and erasure read a conversation's messages in order.
            .Index([x => x.ConversationId, x => x.Sequence], index => index.Name = "mt_doc_messageview_conversation_sequence")
            // Conversation lists count each participant's unread messages (ConversationReads.CountUnread). This index
            // answers that count from the index alone, without reading a row or its JSON.
            .Index([x => x.ConversationId, x => x.Sequence, x => x.SenderId], index =>
            {
                index.Name = "mt_doc_messageview_unread";
                index.Predicate = "deleted_at is null";
            })
            // Downloads ask which messages carry a file: a containment query this index answers.
            .Index(x => x.Attachments, index =>
            {
                index.ToGinWithJsonbPathOps();
                index.WithoutPendingList();
            })
            // Every send with a clientMessageId looks for an earlier attempt; without this it reads the whole conversation.
            .Index(x => x.ClientMessageId);
        // Message search has its own erasable table, since content here is encrypted; the sending transaction writes
        // its rows (Application/Privacy/MessageSearchIndex).
        MessageSearch.AddTable(opts);

        // Posts: one stream per post; likes and comments are events in it.
        opts.Projections.Add<PostSnapshot>(ProjectionLifecycle.Inline, InLargePages);
        opts.Projections.Add<PostViewProjection>(ProjectionLifecycle.Inline, InLargePages);
        opts.Projections.Add<CommentViewProjection>(ProjectionLifecycle.Inline, InLargePages);
        opts.Schema.For<CommentView>()
            .Duplicate(x => x.PostId)
            .Duplicate(x => x.Sequence)
            .Index(x => x.AuthorId);  // FindUser: whoever wrote in public may be named by id
        // The feed (ListPosts) reads every post newest first, a page at a time, from this index.
        opts.Schema.For<PostView>()
            .Index([x => x.CreatedAt, x => x.Id], index => index.Name = "mt_doc_postview_feed")
            .Index(x => x.AuthorId)
            // FindUser: whoever likes a post is named on it (likedBy), so may be named by id.
            .Index(x => x.LikedBy, index =>
            {
                index.Name = "mt_doc_postview_likers";
                index.ToGinWithJsonbPathOps();
                index.WithoutPendingList();
            });
        // Live sessions: one stream per session; chat, moderation and the end are events in it.
        opts.Projections.Add<LiveSessionSnapshot>(ProjectionLifecycle.Inline, InLargePages);
        opts.Projections.Add<LiveSessionViewProjection>(ProjectionLifecycle.Inline, InLargePages);
        opts.Projections.Add<StreamMessageViewProjection>(ProjectionLifecycle.Inline, InLargePages);
        opts.Schema.For<StreamMessageView>()
            .Duplicate(x => x.SessionId)
            .Duplicate(x => x.Sequence)
            .Index(x => x.SenderId);
        // The session directory (ListLiveSessions) lists live or ended sessions, most recently started first. One
        // partial index per state, so the few live sessions are read without passing over every ended one.
        opts.Schema.For<LiveSessionView>()
            .Index([x => x.StartedAt, x => x.Id], index =>
            {
                index.Name = "mt_doc_livesessionview_live";
                index.Predicate = "ended_at is null";
            })
            .Index([x => x.StartedAt, x => x.Id], index =>
            {
                index.Name = "mt_doc_livesessionview_ended";
                index.Predicate = "ended_at is not null";
            })
            .Index(x => x.HostId);

        // Analytics: asynchronous, kept up by the async daemon (AddAsyncDaemon in EventChatHost), so sends never
        // wait for them. See docs/operations.md, "Analytics and the async daemon".
        opts.Projections.Add<DailyActivityProjection>(ProjectionLifecycle.Async, InLargePages);
        opts.Projections.Add<DailySenderProjection>(ProjectionLifecycle.Async, InLargePages);
        opts.Schema.For<DailySender>().Duplicate(x => x.Day);
        opts.Projections.Add<FirstReplyProjection>(ProjectionLifecycle.Async, InLargePages);
        opts.Schema.For<FirstReply>().Duplicate(x => x.ReplyDay);
        opts.Projections.Add<LiveSessionStatsProjection>(ProjectionLifecycle.Async, InLargePages);
        // Sessions started in a range of days, in order (ListStreamAnalytics). An index over the JSON rather than a
        // duplicated column: it is built from the documents already stored, where a new column would start out empty.
        opts.Schema.For<LiveSessionStats>().Index(x => x.StartedAt, index => index.Name = "mt_doc_livesessionstats_started_at");
        return opts;
    }

    /// <summary>Members duplicated into columns only for the composite and partial indexes above, by document.</summary>
    private static readonly Dictionary<Type, string[]> IndexedOnlyTogether = new()
    {
        [typeof(MessageView)] = [nameof(MessageView.ConversationId), nameof(MessageView.Sequence), nameof(MessageView.DeletedAt)],
        [typeof(PostView)] = [nameof(PostView.CreatedAt)],
        [typeof(LiveSessionView)] = [nameof(LiveSessionView.StartedAt), nameof(LiveSessionView.EndedAt)],
    };

    /// <summary>
    /// Events a rebuild (and the async daemon) reads and applies per page. Marten's default of 500 makes a rebuild
    /// spend most of its time on the round trips and statements each page costs; large pages share them.
    /// </summary>
    public const int PageSize = 25_000;

    private static void InLargePages(AsyncOptions options) => options.BatchSize = PageSize;

    /// <summary>
    /// A GIN index written on the send path takes each row's entries at once (<c>fastupdate = off</c>). With a pending
    /// list, the write that overflows it merges the whole list into the index inside its own transaction, and the
    /// batch of sends in that transaction waits about 100 ms (docs/performance.md).
    /// </summary>
    public static IndexDefinition WithoutPendingList(this IndexDefinition index)
    {
        index.StorageParameters["fastupdate"] = "off";
        return index;
    }
}
