using System.Diagnostics;
using System.Net;
using System.Text;

namespace EventChat.Build.Tests;

/// <summary>
/// The packages the solution uses resolve to exactly the versions it names, and a package with a known vulnerability
/// fails the build. The registry served on development machines here carries no
/// vulnerability data, so the audit test serves NuGet an advisory of its own The registry served on development machines here carries no
/// vulnerability data, so the audit test serves NuGet an advisory of its own, from a real local HTTP server, about a package the
/// solution really uses, and restores a project that imports the repository's own build rules.
/// </summary>
public sealed class PackageRules : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("eventchat-packages-");

    public void Dispose() => _scratch.Delete(recursive: true);

    private const string AuditedPackage = "FluentValidation";

    [Fact]
    public async Task The_scale_out_packages_restore_without_a_version_fallback()
    {
        // The SignalR backplane asks for a MessagePack version the registry lacks; the pinned version must be the one resolved.
        var project = ScratchProject("Microsoft.AspNetCore.SignalR.StackExchangeRedis", auditSource: null);

        var (exitCode, output) = await Run("dotnet", $"restore \"{project}\"");

        Assert.DoesNotContain("NU1603", output);
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task A_package_with_a_known_vulnerability_fails_the_restore()
    {
        using var advisories = AdvisoryServer.Start(AuditedPackage);
        var project = ScratchProject(AuditedPackage, advisories.IndexUrl);

        var (exitCode, output) = await Run("dotnet", $"restore \"{project}\"");

        Assert.Contains("NU1903", output);
        Assert.Contains("error NU1903", output);
        Assert.NotEqual(0, exitCode);
    }

    // A project beside a copy of the repository's build rules, referencing a package at the version the solution names.
    private string ScratchProject(string package, string? auditSource)
    {
        var repo = RepositoryRoot();
        var folder = _scratch.FullName;
        File.Copy(Path.Combine(repo, "Directory.Build.props"), Path.Combine(folder, "Directory.Build.props"));
        File.Copy(Path.Combine(repo, "Directory.Packages.props"), Path.Combine(folder, "Directory.Packages.props"));
        if (auditSource is not null)
            File.WriteAllText(Path.Combine(folder, "NuGet.Config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <auditSources><clear /><add key="test-advisories" value="{auditSource}" allowInsecureConnections="true" /></auditSources>
                </configuration>
                """);
        var project = Path.Combine(folder, "audited.csproj");
        File.WriteAllText(project, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <ItemGroup><PackageReference Include="{package}" /></ItemGroup>
            </Project>
            """);
        return project;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Directory.Build.props")) && File.Exists(Path.Combine(dir.FullName, "EventChat.sln")))
                return dir.FullName;
        throw new InvalidOperationException("The repository root (EventChat.sln) was not found above " + AppContext.BaseDirectory);
    }

    private static async Task<(int ExitCode, string Output)> Run(string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    /// <summary>NuGet's vulnerability resource (VulnerabilityInfo/6.7.0): a service index, a page index, one page.</summary>
    private sealed class AdvisoryServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly string _base;
        private readonly string _package;

        private AdvisoryServer(string baseUrl, string package)
        {
            (_base, _package) = (baseUrl, package);
            _listener.Prefixes.Add(baseUrl);
            _listener.Start();
            _ = Serve();
        }

        public string IndexUrl => _base + "index.json";

        public static AdvisoryServer Start(string package)
        {
            // HttpListener takes no port 0; try free-looking ports until one binds.
            for (var attempt = 0; ; attempt++)
            {
                var port = Random.Shared.Next(20_000, 60_000);
                try
                {
                    return new AdvisoryServer($"http://127.0.0.1:{port}/", package);
                }
                catch (HttpListenerException) when (attempt < 20)
                {
                }
            }
        }

        private async Task Serve()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                var body = context.Request.Url!.AbsolutePath switch
                {
                    "/index.json" => $$"""{"version":"3.0.0","resources":[{"@id":"{{_base}}vulnerabilities/index.json","@type":"VulnerabilityInfo/6.7.0"}]}""",
                    "/vulnerabilities/index.json" => $$"""[{"@name":"base","@id":"{{_base}}vulnerabilities/base.json","@updated":"2026-01-01T00:00:00Z"}]""",
                    "/vulnerabilities/base.json" => $$"""{"{{_package.ToLowerInvariant()}}":[{"url":"https://example.invalid/advisory","severity":2,"versions":"(, 99999.0.0)"}]}""",
                    _ => null,
                };
                context.Response.StatusCode = body is null ? 404 : 200;
                var bytes = Encoding.UTF8.GetBytes(body ?? "");
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }
}
