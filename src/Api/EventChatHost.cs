using EventChat.Api.Auth;
using EventChat.Api.Endpoints;
using EventChat.Api.Errors;
using EventChat.Api.Files;
using EventChat.Api.Hubs;
using EventChat.Api.OpenApi;
using EventChat.Api.Privacy;
using EventChat.Api.Telemetry;
using EventChat.Application.Conversations;
using EventChat.Application.Pipeline;
using EventChat.Application.Ports;
using EventChat.Application.Privacy;
using EventChat.Application.Realtime;
using EventChat.Application.Streams;
using EventChat.Projections;
using FluentValidation;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.Tokens;
using Weasel.Core;

namespace EventChat.Api;

/// <summary>Builds the EventChat web application; tests build the same app on a real port.</summary>
public static class EventChatHost
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        AddLogging(builder.Logging);
        AddServices(builder.Services, builder.Configuration, builder.Environment);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // The web client (wwwroot) at "/": public files, served before auth so they need no token.
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();
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
        app.MapHub<ChatHub>(ChatHub.Path);

        // Operability, all anonymous: API reference (/openapi/v1.json, /docs), health (/health/live, /health/ready,
        // /health) and metrics (/metrics, may require a role). See docs/operations.md.
        app.MapApiReference();
        app.MapHealth();
        app.MapMetrics();
        return app;
    }

    private static void AddLogging(ILoggingBuilder logging) =>
        // Request-start lines carry the full URL, and a browser's hub connection puts its token in the query.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

    private static void AddServices(IServiceCollection services, IConfiguration config, IHostEnvironment env)
    {
        services.AddSingleton(TimeProvider.System);
        // Every problem response, including the framework's own 401s and 404s, carries the contract's error code.
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions.TryAdd("code", ApiError.CodeFor(context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode)));
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();

        services.AddMarten(provider =>
            {
                var opts = new StoreOptions();
                opts.Connection(config.GetConnectionString("EventChat") ?? throw new InvalidOperationException(
                    "ConnectionStrings:EventChat is not set. Run ./eventchat run, or set ConnectionStrings__EventChat to your PostgreSQL."));
                opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
                // Quick append: one round trip per append; our events carry their own sequence, so nothing needs Rich mode.
                opts.Events.AppendMode = EventAppendMode.Quick;
                opts.Logger(new ParameterFreeMartenLogger(provider.GetRequiredService<ILogger<ParameterFreeMartenLogger>>()));
                opts.DisableNpgsqlLogging = true;
                opts.AddEventChatProjections();
                opts.AddEventChatPrivacy();
                return opts;
            })
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup()
            // Runs the async (analytics) projections in this process. HotCold: on several nodes they elect one
            // leader through a PostgreSQL advisory lock, and another node takes over if it dies (docs/operations.md).
            .AddAsyncDaemon(DaemonMode.HotCold);

        services.AddMediator(options =>
        {
            options.ServiceLifetime = ServiceLifetime.Scoped;
            options.Assemblies = [typeof(SendMessage)];
            // Outermost first: MetricsBehavior times everything inside it, validation included.
            options.PipelineBehaviors = [typeof(MetricsBehavior<,>), typeof(ValidationBehavior<,>), typeof(RateLimitBehavior<,>), typeof(RetryOnConflictBehavior<,>)];
        });
        services.AddValidatorsFromAssemblyContaining<SendMessage>(ServiceLifetime.Singleton);

        // Operability: OpenAPI document, health checks, OpenTelemetry metrics (EventChatMetrics, ProjectionLag).
        services.AddApiReference();
        services.AddEventChatHealthChecks(config);
        services.AddEventChatMetrics();

        services.AddSingleton<IPasswordHasher, AspNetPasswordHasher>();
        services.AddSingleton<INotifier, SignalRNotifier>();
        services.AddSingleton<IPresence, InMemoryPresence>();
        services.AddSingleton<IFileStore>(_ => FolderFileStore.FromConfiguration(config, env));
        services.AddAttachmentOptions(config);

        var jwt = JwtSettings.Resolve(config, env);
        services.AddSingleton(jwt);
        // Message content is encrypted at rest under keys this master key wraps (docs/privacy.md).
        services.AddSingleton(MasterKeyConfiguration.Resolve(config, env));
        services.AddSingleton<ContentCipher>();
        services.AddHostedService<MasterKeyVerification>();
        services.AddSingleton<ErasedAccounts>();
        services.AddSync(config, jwt);
        services.AddSingleton<TokenIssuer>();
        services.AddAuthorization();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.MapInboundClaims = false;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = JwtSettings.Issuer,
                ValidAudience = JwtSettings.Audience,
                IssuerSigningKey = jwt.Key,
                NameClaimType = JwtClaims.Name,
                RoleClaimType = JwtClaims.Role,
                ClockSkew = TimeSpan.FromSeconds(30),
            };
            // Browsers cannot set headers on WebSocket/SSE requests, so the hub also takes ?access_token=.
            options.Events = new JwtBearerEvents
            {
                OnMessageReceived = context =>
                {
                    if (context.HttpContext.Request.Path.StartsWithSegments(ChatHub.Path)
                        && context.Request.Query["access_token"].ToString() is { Length: > 0 } token)
                        context.Token = token;
                    return Task.CompletedTask;
                },
                OnTokenValidated = ErasedAccounts.RefuseErased,
            };
        });

        var limits = config.GetSection(HubLimits.Section).Get<HubLimits>() ?? new HubLimits();
        services.AddSingleton(limits);
        services.AddSingleton<IRateLimiter, UserRateLimiter>();
        services.AddSingleton<TypingTracker>();
        services.AddSingleton<StreamViewers>();
        services.AddSingleton<ViewerCountPushes>();
        services.AddSignalR(options =>
        {
            options.AddFilter<HubErrorFilter>();
            options.MaximumReceiveMessageSize = limits.MaxHubMessageBytes;
            options.ClientTimeoutInterval = limits.ClientTimeout;
            options.KeepAliveInterval = limits.KeepAlive;
        });
        // SignalR's client timeout only starts once a client has sent its first message, so a client whose
        // network drops right after connecting would stay "online" for good. WebSocket-level pings, which
        // browsers answer by themselves, catch that case too.
        services.Configure<WebSocketOptions>(options =>
        {
            options.KeepAliveInterval = limits.KeepAlive;
            options.KeepAliveTimeout = limits.ClientTimeout;
        });
        services.RemoveAll<IHubProtocol>();
        services.AddSingleton<IHubProtocol, PayloadOptionalJsonHubProtocol>();
        services.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();
    }
}
