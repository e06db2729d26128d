using EventChat.Domain.Conversations;
using EventChat.Projections;
using JasperFx.Events;
using Marten;
using Marten.Events;
using Weasel.Core;

namespace EventChat.Application.Admin;

/// <summary>
/// Rebuilds <see cref="MessageView"/>, the largest read model, in pages: it reads a page of message events in commit
/// order, folds them in memory with the projection's own functions (<see cref="MessageView.From"/>, <c>Edited</c>,
/// <c>Deleted</c>), and writes the page's documents with one bulk insert (PostgreSQL's <c>COPY</c>). Marten's daemon,
/// which rebuilds the other projections, writes one upsert statement per document and reads each page's documents
/// first, which made this one the slowest to rebuild (docs/operations.md, "How long it takes").
/// </summary>
/// <param name="pageSize">Events per page: each page is one read and one bulk insert.</param>
public sealed class MessageViewRebuild(IDocumentStore store, int pageSize = MessageViewRebuild.PageSize)
{
    public const int PageSize = 10_000;

    private static readonly Type[] MessageEvents = [typeof(MessageSent), typeof(MessageEdited), typeof(MessageDeleted)];

    /// <summary>Throws every <see cref="MessageView"/> away and writes them again from the events; returns how many events it applied.</summary>
    /// <param name="progress">Told the events applied so far and the total, after each page.</param>
    public async Task<long> Run(IProgress<RebuildProgress>? progress, CancellationToken ct)
    {
        await store.Advanced.Clean.DeleteDocumentsByTypeAsync(typeof(MessageView), ct);
        await using var session = store.QuerySession();
        var types = MessageEvents;
        var total = await session.Events.QueryAllRawEvents().Where(e => e.EventTypesAre(types)).CountAsync(ct);
        long applied = 0;
        for (var page = await Page(session, after: 0, ct); page.Count > 0; page = await Page(session, after: page[^1].Sequence, ct))
        {
            var (sentHere, changedFromEarlier) = await Fold(session, page, ct);
            // A message sent while the rebuild runs has its document written by the inline projection already, which a
            // bulk insert would collide with; those are overwritten like the changed ones.
            var writtenMeanwhile = await Existing(session, sentHere, ct);
            var fresh = sentHere.Where(v => !writtenMeanwhile.Contains(v.Id)).ToList();
            if (fresh.Count > 0)
                await store.BulkInsertAsync(fresh, BulkInsertMode.InsertsOnly, batchSize: pageSize, cancellation: ct);
            if (changedFromEarlier.Count > 0 || fresh.Count < sentHere.Count)
                await Overwrite([.. changedFromEarlier, .. sentHere.Where(v => writtenMeanwhile.Contains(v.Id))], ct);
            applied += page.Count;
            progress?.Report(new(applied, total));
        }
        return applied;
    }

    private async Task<IReadOnlyList<IEvent>> Page(IQuerySession session, long after, CancellationToken ct)
    {
        var types = MessageEvents;
        return await session.Events.QueryAllRawEvents()
            .Where(e => e.Sequence > after && e.EventTypesAre(types))
            .OrderBy(e => e.Sequence).Take(pageSize).ToListAsync(ct);
    }

    /// <summary>
    /// The documents a page of events leaves: those of the messages sent in it, new, and those of messages sent in an
    /// earlier page and edited or deleted in this one, which start from the document already written.
    /// </summary>
    private static async Task<(IReadOnlyList<MessageView> SentHere, IReadOnlyList<MessageView> ChangedFromEarlier)> Fold(
        IQuerySession session, IReadOnlyList<IEvent> page, CancellationToken ct)
    {
        var sentHere = page.Select(e => e.Data).OfType<MessageSent>().Select(s => s.MessageId).ToHashSet();
        Guid[] earlier = [.. page.Select(e => e.Data switch
            {
                MessageEdited edited => edited.MessageId,
                MessageDeleted deleted => deleted.MessageId,
                _ => Guid.Empty,
            }).Where(id => id != Guid.Empty && !sentHere.Contains(id)).Distinct()];
        var views = (await session.LoadManyAsync<MessageView>(ct, earlier)).ToDictionary(v => v.Id);
        foreach (var e in page)
        {
            switch (e.Data)
            {
                case MessageSent sent:
                    views[sent.MessageId] = MessageView.From(sent);
                    break;
                case MessageEdited edited when views.TryGetValue(edited.MessageId, out var view):
                    views[edited.MessageId] = view.Edited(edited);
                    break;
                case MessageDeleted deleted when views.TryGetValue(deleted.MessageId, out var view):
                    views[deleted.MessageId] = view.Deleted(deleted);
                    break;
            }
        }
        return ([.. views.Values.Where(v => sentHere.Contains(v.Id))], [.. views.Values.Where(v => !sentHere.Contains(v.Id))]);
    }

    private static async Task<HashSet<Guid>> Existing(IQuerySession session, IReadOnlyList<MessageView> views, CancellationToken ct)
    {
        Guid[] ids = [.. views.Select(v => v.Id)];
        return [.. await session.Query<MessageView>().Where(v => v.Id.IsOneOf(ids)).Select(v => v.Id).ToListAsync(ct)];
    }

    // Few: a message edited or deleted after thousands of others, or sent during the rebuild. Written as ordinary upserts.
    private async Task Overwrite(IReadOnlyList<MessageView> views, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        session.Store(views.ToArray());
        await session.SaveChangesAsync(ct);
    }
}

/// <summary>
/// How far a rebuild has come, <see cref="Done"/> of <see cref="Total"/> events. For <see cref="MessageView"/>
/// (<see cref="MessageViewRebuild"/>): the message events written of all of them. For a rebuild by Marten's daemon: the
/// position in the event store it has applied up to, of the high-water mark (the newest event with none missing below
/// it) when it began. Either way reported after each page, so it moves in steps of up to a page.
/// </summary>
public sealed record RebuildProgress(long Done, long Total);
