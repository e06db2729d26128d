using System.Net;
using EventChat.IntegrationTests.Infrastructure;

namespace EventChat.IntegrationTests;

/// <summary>
/// The artefact an operator deploys (docs/deploy.md): <c>./eventchat publish</c> makes it, and unpacked into a folder
/// of its own it serves EventChat from its settings file, on a machine whose PATH has no .NET, as the systemd unit runs
/// it. The publish takes the cores for a minute or two, so this runs with the multi-node tests, alone.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class Deploy
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task The_published_artefact_unpacked_elsewhere_runs_without_dotnet_until_it_is_ready_and_stops_on_sigterm()
    {
        var scratch = Directory.CreateTempSubdirectory("eventchat-deploy-").FullName;
        var tarball = await Publish(scratch);
        var unpacked = Directory.CreateDirectory(Path.Combine(scratch, "opt")).FullName;
        var tar = await Command.Run("tar", ["-xzf", tarball, "-C", unpacked], scratch, TimeSpan.FromMinutes(2));
        Assert.True(tar.ExitCode == 0, tar.Error);

        var release = Assert.Single(Directory.GetDirectories(unpacked));
        Assert.Equal(Path.GetFileName(tarball)[..^".tar.gz".Length], Path.GetFileName(release));
        foreach (var file in (string[])["README.md", "eventchat.service", "eventchat.env", "VERSION", "app/EventChat.Api", "app/appsettings.json", "app/wwwroot/index.html", "app/wwwroot/app/main.js"])
            Assert.True(File.Exists(Path.Combine(release, file)), $"the artefact has no {file}");
        // Self-contained: the runtime is in the folder, not looked for on the machine.
        Assert.Contains("\"includedFrameworks\"", await File.ReadAllTextAsync(Path.Combine(release, "app", "EventChat.Api.runtimeconfig.json")));

        // The example settings as an operator fills them in: every CHANGE-ME replaced, the rest as shipped.
        var settings = EnvironmentFile(Path.Combine(release, "eventchat.env"));
        foreach (var required in (string[])["ConnectionStrings__EventChat", "Jwt__SigningKey", "EventChat__Privacy__MasterKey", "EventChat__DataDirectory", "ASPNETCORE_URLS"])
            Assert.True(settings.ContainsKey(required), $"eventchat.env does not list {required}");
        settings["ConnectionStrings__EventChat"] = await EventChatServer.NewDatabase();
        settings["Jwt__SigningKey"] = Convert.ToBase64String(Guid.NewGuid().ToByteArray()) + Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        settings["EventChat__Privacy__MasterKey"] = EventChatServer.TestMasterKey;
        settings["EventChat__DataDirectory"] = Directory.CreateDirectory(Path.Combine(scratch, "var-lib-eventchat")).FullName;
        Assert.DoesNotContain(settings.Values, value => value.Contains("CHANGE-ME"));
        settings[JsonLogging.On.Key] = JsonLogging.On.Value;
        // What systemd gives a service besides its settings, and a PATH without dotnet on it: nothing of the test host's.
        settings["HOME"] = Directory.CreateDirectory(Path.Combine(scratch, "home")).FullName;
        settings["PATH"] = PathWithoutDotnet();

        await using var node = await ApiNode.StartPublished(Path.Combine(release, "app", "EventChat.Api"), settings);
        using var http = new HttpClient { BaseAddress = node.BaseAddress };
        await Ready(http, node);
        var page = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/app/main.js")).StatusCode);

        Assert.Equal(0, await node.Stop());
        JsonLogging.Lines(node.Output);
    }

    // ./eventchat publish, as a person runs it; answers the tarball's path, the one line it prints on stdout.
    private static async Task<string> Publish(string output)
    {
        var root = PostgresServer.RepositoryRoot();
        var (exitCode, stdout, stderr) = await Command.Run("bash", [Path.Combine(root, "eventchat"), "publish", "--output", output], root, PublishTimeout);
        Assert.True(exitCode == 0, $"./eventchat publish failed ({exitCode}):\n{stderr}");
        var tarball = stdout.Trim();
        Assert.Matches(@"/eventchat-[^/]+-linux-x64\.tar\.gz$", tarball);
        Assert.True(File.Exists(tarball), $"{tarball} is missing:\n{stderr}");
        return tarball;
    }

    // KEY=value lines, as systemd's EnvironmentFile reads them; lines starting with # are comments.
    private static Dictionary<string, string> EnvironmentFile(string path) =>
        File.ReadAllLines(path)
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);

    private static string PathWithoutDotnet() =>
        string.Join(':', (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Where(folder => folder.Length > 0 && !File.Exists(Path.Combine(folder, "dotnet"))));

    private static async Task Ready(HttpClient http, ApiNode node)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not answering yet.
            }
            Assert.True(DateTime.UtcNow < deadline, "/health/ready did not answer 200 within 60 s. The server's output:\n" + node.Output);
            await Task.Delay(200);
        }
    }
}
