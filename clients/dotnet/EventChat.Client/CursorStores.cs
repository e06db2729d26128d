namespace EventChat.Client;

/// <summary>
/// Where the SDK keeps its sync cursor: "the app has every event of its feed up to here". Only sync answers move it.
/// A cursor belongs to one user; give each signed-in user a store of their own.
/// </summary>
public interface ISyncCursorStore
{
    /// <summary>The cursor saved last, or null to start from the user's registration.</summary>
    ValueTask<string?> LoadAsync(CancellationToken cancellationToken);

    ValueTask SaveAsync(string cursor, CancellationToken cancellationToken);
}

/// <summary>The default: the cursor lives as long as the client, so a new client starts from the user's whole history.</summary>
public sealed class InMemoryCursorStore : ISyncCursorStore
{
    private volatile string? _cursor;

    public ValueTask<string?> LoadAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_cursor);

    public ValueTask SaveAsync(string cursor, CancellationToken cancellationToken)
    {
        _cursor = cursor;
        return ValueTask.CompletedTask;
    }
}

/// <summary>The cursor in a file, so an app that restarts resumes where it stopped instead of replaying the history.</summary>
public sealed class FileCursorStore(string path) : ISyncCursorStore
{
    public async ValueTask<string?> LoadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
            return null;
        var cursor = (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
        return cursor.Length == 0 ? null : cursor;
    }

    public async ValueTask SaveAsync(string cursor, CancellationToken cancellationToken)
    {
        // Write beside it and move over it: a crash mid-write leaves the old cursor, never half of one.
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var partial = path + ".partial";
        await File.WriteAllTextAsync(partial, cursor, cancellationToken);
        File.Move(partial, path, overwrite: true);
    }
}
