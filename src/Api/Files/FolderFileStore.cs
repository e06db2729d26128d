using EventChat.Api.Auth;
using EventChat.Application.Ports;

namespace EventChat.Api.Files;

/// <summary>
/// Keeps each file as one file in a folder, named by its attachment id alone. A file is written under a
/// temporary name in a sub-folder and then moved into place (an atomic rename on one file system), so a
/// crash or a dropped upload leaves no half-written file where <see cref="Open"/> looks.
/// </summary>
public sealed class FolderFileStore : IFileStore
{
    public const string FolderKey = "EventChat:Attachments:Folder";

    private const string IncomingFolderName = ".incoming";
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromDays(1);

    private readonly string _incoming;

    public FolderFileStore(string folder)
    {
        Folder = Path.GetFullPath(folder);
        _incoming = Path.Combine(Folder, IncomingFolderName);
        CreatePrivateDirectory(Folder);
        CreatePrivateDirectory(_incoming);
        RemoveAbandonedUploads();
    }

    /// <summary>The folder holding the files (absolute).</summary>
    public string Folder { get; }

    /// <summary><c>EventChat:Attachments:Folder</c> (relative to the content root), else <c>attachments</c> in the data directory.</summary>
    public static FolderFileStore FromConfiguration(IConfiguration config, IHostEnvironment env) =>
        new(config[FolderKey] is { Length: > 0 } folder
            ? Path.Combine(env.ContentRootPath, folder)
            : Path.Combine(config.DataDirectory(env), "attachments"));

    public async Task Save(Guid id, Stream content, CancellationToken ct)
    {
        var temporary = Path.Combine(_incoming, $"{id:N}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var file = new FileStream(temporary, WriteOptions()))
            {
                await content.CopyToAsync(file, ct);
                // Durable before it becomes visible: a power cut must not leave a named file with missing bytes.
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, PathOf(id), overwrite: false);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    public Task<Stream?> Open(Guid id, CancellationToken ct)
    {
        try
        {
            return Task.FromResult<Stream?>(new FileStream(PathOf(id), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete,
                bufferSize: 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    public Task Delete(Guid id, CancellationToken ct)
    {
        File.Delete(PathOf(id));
        return Task.CompletedTask;
    }

    private string PathOf(Guid id) => Path.Combine(Folder, id.ToString("N"));

    private static FileStreamOptions WriteOptions()
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return options;
    }

    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(path);
        else
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    // Leftovers of uploads cut short by a crash; old enough that no upload in progress can own them.
    private void RemoveAbandonedUploads()
    {
        foreach (var file in new DirectoryInfo(_incoming).EnumerateFiles("*.tmp"))
            if (DateTime.UtcNow - file.LastWriteTimeUtc > AbandonedAfter)
                file.Delete();
    }
}
