namespace EventChat.Application.Ports;

/// <summary>
/// Where uploaded files' bytes live, keyed by attachment id only (a client's file name never becomes a
/// path or key). A folder by default; an S3-compatible bucket can replace it (see docs/operations.md).
/// </summary>
public interface IFileStore
{
    /// <summary>
    /// Stores the bytes under <paramref name="id"/>, all or nothing: until this completes, <see cref="Open"/>
    /// finds nothing, so a half-written upload is never served.
    /// </summary>
    Task Save(Guid id, Stream content, CancellationToken ct);

    /// <summary>The stored bytes, for the caller to dispose; null when nothing is stored under <paramref name="id"/>.</summary>
    Task<Stream?> Open(Guid id, CancellationToken ct);

    /// <summary>Removes the bytes; nothing happens when there are none.</summary>
    Task Delete(Guid id, CancellationToken ct);
}
