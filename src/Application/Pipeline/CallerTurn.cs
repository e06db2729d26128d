namespace EventChat.Application.Pipeline;

/// <summary>
/// One command's place in its caller's line. A hub connection's calls start in the order the client sent them, each
/// once the call before it has passed its turn on: by finishing, or, for a send, as soon as the send holds its place
/// in the commit queue (<see cref="GroupCommit{TPending, TOutcome}.Commit"/>). So a client can keep several sends in
/// flight, and they share transactions, while its messages still commit in the order it sent them.
/// </summary>
public sealed class CallerTurn
{
    private readonly TaskCompletionSource passed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the caller's next command may start.</summary>
    public Task Passed => passed.Task;

    /// <summary>Lets the caller's next command start. Only the first call counts.</summary>
    public void Pass() => passed.TrySetResult();
}
