using System.Text.Json;
using EventChat.Api;
using EventChat.Api.Auth;
using EventChat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventChat.IntegrationTests;

/// <summary>
/// What each of EventChat's framework workarounds (src/Api/Hosting/FrameworkWorkarounds.cs) achieves, checked on the
/// running server, so that a framework upgrade that quietly undoes one fails here instead of costing memory in production.
/// The others are checked where their behaviour is: no token in any log line (<c>Logging</c>, <c>Security</c>) and hub
/// refusals without a stack trace (<c>Logging</c>).
/// </summary>
public sealed class FrameworkWorkarounds
{
    [Fact]
    public async Task An_authenticated_caller_keeps_only_the_claims_EventChat_reads_and_not_the_token()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var scope = server.App.Services.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Headers.Authorization = $"Bearer {alice.Token}";

        var result = await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal([JwtClaims.Expires, JwtClaims.Name, JwtClaims.Role, JwtClaims.Subject], result.Principal!.Claims.Select(c => c.Type).Order());
        Assert.Equal(alice.Id.ToString(), result.Principal.FindFirst(JwtClaims.Subject)!.Value);
        Assert.All(result.Principal.Claims, claim => Assert.Empty(claim.Properties));
        Assert.Null(result.Properties!.GetTokenValue("access_token"));
    }

    [Fact]
    public async Task No_hosted_service_loads_the_data_protection_key_ring_at_start()
    {
        var server = await EventChatServer.Instance;

        var hosted = server.App.Services.GetServices<IHostedService>().Select(service => service.GetType().FullName!).ToList();

        Assert.Contains(hosted, name => name.StartsWith("EventChat.", StringComparison.Ordinal));
        Assert.DoesNotContain(hosted, name => name.StartsWith("Microsoft.AspNetCore.DataProtection.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Loggers_capture_no_scopes()
    {
        var server = await EventChatServer.Instance;

        Assert.False(server.App.Services.GetRequiredService<IOptions<LoggerFilterOptions>>().Value.CaptureScopes);
    }

    [Fact]
    public void The_server_runs_without_background_garbage_collection_and_without_spinning_thread_pool_workers()
    {
        // The settings EventChat.Api.csproj gives the runtime, as the server (and the published artefact) starts with them.
        var runtimeConfig = Path.ChangeExtension(typeof(EventChatHost).Assembly.Location, ".runtimeconfig.json");
        var settings = JsonDocument.Parse(File.ReadAllText(runtimeConfig)).RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.False(settings.GetProperty("System.GC.Concurrent").GetBoolean());
        Assert.Equal(0, settings.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
    }
}
