namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>
/// A pid file in the run's folder for a process this host started, so the run's cleanup can stop it if this host dies
/// first. It holds the pid and the process's start time (field 22 of <c>/proc/&lt;pid&gt;/stat</c>): the cleanup kills
/// only a process that still has both, never one that reused the pid. Deleted once the process is stopped.
/// </summary>
public sealed class PidFile
{
    private readonly string _path;

    private PidFile(string path) => _path = path;

    public static PidFile Write(string kind, int pid)
    {
        var path = Path.Combine(TestRun.Folder, $"eventchat-{kind}-{pid}.pid");
        // A process that is gone already needs no stopping: an empty file is never acted on.
        File.WriteAllText(path, StartTime(pid) is { } started ? $"{pid} {started}\n" : "");
        return new PidFile(path);
    }

    public void Delete() => File.Delete(_path);

    private static string? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may hold spaces; count the fields after it.
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
        }
        catch (IOException)
        {
            return null;
        }
    }
}
