using EventChat.Api.Auth;
using EventChat.Api.Endpoints;
using EventChat.Api.Errors;
using EventChat.Api.Files;
using EventChat.Api.Hosting;
using EventChat.Api.Hubs;
using EventChat.Api.OpenApi;
using EventChat.Api.Privacy;
using EventChat.Api.Security;
using EventChat.Api.Telemetry;
using EventChat.Application.Conversations;
using EventChat.Application.Ports;
using EventChat.Application.Privacy;

namespace EventChat.Api;

/// <summary>Builds the EventChat web application; tests build the same app on a real port.</summary>
public static class EventChatHost
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        AddServices(builder);

        var app = builder.Build();
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // The web client (wwwroot) at "/": public files, served before auth so they need no token.
        app.UseDefaultFiles();
        app.UseStaticFiles();
        // Security hardening (docs/operations.md#security): CORS for allowed origins, then pages of other origins kept off the hub.
        app.UseCors();
        app.UseHubOriginCheck();
        // The auth endpoints' per-address limit (AuthRateLimits); no other endpoint asks for one.
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseHubRequestsForgetTheirToken();
        app.MapAuth();
        app.MapUsers();
        app.MapConversations();
        app.MapMessages();
        app.MapAttachments();
        app.MapSearch();
        app.MapPosts();
        app.MapStreams();
        app.MapAdmin();
        app.MapAnalytics();
        app.MapSync();
        app.MapServerApi();
        // A connection outlives no token: TokenExpiry closes it, saying why, when the token that opened it expires.
        app.MapHub<ChatHub>(ChatHub.Path);

        // Operability, all anonymous: API reference (/openapi/v1.json, /docs), health (/health/live, /health/ready,
        // /health) and metrics (/metrics, may require a role). See docs/operations.md.
        app.MapApiReference();
        app.MapHealth();
        app.MapMetrics();
        return app;
    }

    /// <summary>
    /// The app's services, a named piece each. Order matters in two places: Redis scale-out (in
    /// <see cref="RealtimeSetup"/>) replaces in-memory adapters registered before it, and the framework workarounds
    /// change what the other pieces registered.
    /// </summary>
    private static void AddServices(WebApplicationBuilder builder)
    {
        var (services, config, env) = (builder.Services, builder.Configuration, builder.Environment);
        services.AddSingleton(TimeProvider.System);
        services.AddProblemResponses();
        services.AddEventStore(config);
        services.AddUseCases();
        services.AddOperability(config);
        services.AddAccounts(config, env);
        services.AddAllowedOrigins(config, env);
        services.AddPrivacy(config, env);
        services.AddFiles(config, env);
        services.AddSync(config);
        services.AddRealtime(config);
        builder.AddFrameworkWorkarounds();
    }

    /// <summary>
    /// Every problem response, including the framework's own 401s and 404s, carries the contract's error code, and a body
    /// or parameter the framework cannot read reaches <see cref="ApiError"/> as every other failure does, which names the
    /// field (the framework's own 400 names nothing); <see cref="ProblemDetailsExceptionHandler"/> handles it, so nothing
    /// logs an error.
    /// </summary>
    private static IServiceCollection AddProblemResponses(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions.TryAdd("code", ApiError.CodeFor(context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode)));
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        return services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
    }

    /// <summary>
    /// The OpenAPI document, health checks, OpenTelemetry metrics (EventChatMetrics, ProjectionLag, runtime, process) and
    /// tracing (exported only when an OTLP endpoint is configured). See docs/operations.md.
    /// </summary>
    private static IServiceCollection AddOperability(this IServiceCollection services, IConfiguration config)
    {
        services.ConfigureHttpJsonOptions(options => WireJson.Configure(options.SerializerOptions));
        services.AddApiReference();
        services.AddEventChatHealthChecks(config);
        services.AddEventChatMetrics();
        return services.AddEventChatTracing(config);
    }

    /// <summary>Message content is encrypted at rest under keys the master key wraps (docs/privacy.md).</summary>
    private static IServiceCollection AddPrivacy(this IServiceCollection services, IConfiguration config, IHostEnvironment env)
    {
        services.AddSingleton(MasterKeyConfiguration.Resolve(config, env));
        services.AddSingleton<ContentCipher>();
        services.AddSingleton<AuditTrail>();
        return services.AddHostedService<MasterKeyStartUpCheck>();
    }

    /// <summary>Attachments: where their bytes are kept, and their limits (docs/operations.md, "File storage").</summary>
    private static IServiceCollection AddFiles(this IServiceCollection services, IConfiguration config, IHostEnvironment env)
    {
        services.AddSingleton<IFileStore>(_ => FolderFileStore.FromConfiguration(config, env));
        return services.AddAttachmentOptions(config);
    }
}
