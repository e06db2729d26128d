using System.Collections.Concurrent;

namespace EventChat.Application.Conversations;

/// <summary>
/// Each conversation's pushes leave this node in commit order. Sends are pushed after their commit, each in its caller's
/// own task; without a line, a sender's messages committed together in one batch could reach the other participants in
/// any order. The writer that owns a conversation (<see cref="SendGroupCommit"/>) hands out the turns as it answers.
/// </summary>
public sealed class PushLines
{
    // Each conversation's last turn handed out: it completes when that push is done.
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> last = new();

    /// <summary>The next push of <paramref name="conversationId"/>: it waits for the one handed out before it.</summary>
    public PushTurn Join(Guid conversationId)
    {
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var previous = last.TryGetValue(conversationId, out var before) ? before.Task : Task.CompletedTask;
        last[conversationId] = mine;
        return new(previous, () =>
        {
            mine.TrySetResult();
            // The last push of a quiet conversation leaves no entry behind.
            last.TryRemove(KeyValuePair.Create(conversationId, mine));
        });
    }
}

/// <summary>A push's place in its conversation's line: wait for <see cref="Previous"/>, push, then <see cref="Done"/>.</summary>
public sealed record PushTurn(Task Previous, Action Done);
