using EventChat.Api.Auth;
using EventChat.Api.Endpoints;
using EventChat.Api.Errors;
using EventChat.Api.Files;
using EventChat.Api.Hubs;
using EventChat.Api.OpenApi;
using EventChat.Api.ScaleOut;
using EventChat.Api.Privacy;
using EventChat.Api.Security;
using EventChat.Api.Storage;
using EventChat.Api.Telemetry;
using EventChat.Api.Webhooks;
using EventChat.Application.Admin;
using EventChat.Application.Webhooks;
using EventChat.Application.Conversations;
using EventChat.Application.Pipeline;
using EventChat.Application.Ports;
using EventChat.Application.Privacy;
using EventChat.Application.Realtime;
using EventChat.Application.Streams;
using EventChat.Application.Users;
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

    private const string DataProtectionPreload = "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService";

    // Two settings that cut PostgreSQL's work per send, unless the connection string sets them itself
    // (docs/operations.md, `ConnectionStrings__EventChat`):
    // - A pooled connection is reset with DISCARD ALL each time it is handed out again, which costs PostgreSQL a
    //   statement per session (two per send). EventChat never leaves session state behind (no SET, no temporary
    //   tables, no session advisory locks outside the daemon's own connection), so there is nothing to reset.
    // - Without prepared statements PostgreSQL parses and plans every statement of every send again; Marten's are
    //   the same few dozen texts over and over. Preparing the ones used often spares PostgreSQL that
    //   work on every send (docs/performance-history.md).
    private static string Tuned(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(key => key.Replace(" ", "")).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains("NoResetOnClose"))
            builder.NoResetOnClose = true;
        if (!given.Contains("MaxAutoPrepare"))
            builder.MaxAutoPrepare = MaxPreparedStatements;
        return builder.ConnectionString;
    }

    private const int MaxPreparedStatements = 100;

    private static void AddLogging(ILoggingBuilder logging)
    {
        // Request-start lines carry the full URL, and a browser's hub connection puts its token in the query.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        // No log line prints scopes (the console formatter leaves them out), yet every request captures three
        // (Kestrel's connection, the request, SignalR's connection), and a hub connection holds its scopes, their
        // state and the async-local that carries them for as long as it stays open (docs/performance.md).
        logging.Services.Configure<LoggerFilterOptions>(options => options.CaptureScopes = false);
    }

    private static void AddServices(IServiceCollection services, IConfiguration config, IHostEnvironment env)
    {
        services.AddSingleton(TimeProvider.System);
        // Every problem response, including the framework's own 401s and 404s, carries the contract's error code.
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions.TryAdd("code", ApiError.CodeFor(context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode)));
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        // A body or parameter the framework cannot read reaches ApiError as every other failure does, which names the
        // field (the framework's own 400 names nothing); ProblemDetailsExceptionHandler handles it, so nothing logs an error.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

        var marten = services.AddMarten(provider =>
            {
                var opts = new StoreOptions();
                opts.Connection(Tuned(config.GetConnectionString("EventChat") ?? throw new InvalidOperationException(
                    "ConnectionStrings:EventChat is not set. Run ./eventchat run, or set ConnectionStrings__EventChat to your PostgreSQL.")));
                opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
                // Quick append: one round trip per append; our events carry their own sequence, so nothing needs Rich mode.
                opts.Events.AppendMode = EventAppendMode.Quick;
                opts.Logger(new ParameterFreeMartenLogger(provider.GetRequiredService<ILogger<ParameterFreeMartenLogger>>()));
                opts.DisableNpgsqlLogging = true;
                opts.AddEventChatProjections();
                opts.AddEventChatDocuments();
                ConversationRows.AddGuardFunction(opts);
                // The send writers let go of a conversation that anything else on this node writes to.
                opts.Listeners.Add(provider.GetRequiredService<HeldConversations>());
                WebhookDeliveries.AddTable(opts);
                return opts;
            })
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup()
            // Runs the async (analytics) projections and the webhook outbox in this process. HotCold: on several nodes
            // they elect one leader through a PostgreSQL advisory lock, and another node takes over if it dies
            // (docs/operations.md).
            .AddAsyncDaemon(DaemonMode.HotCold);
        services.AddWebhooks(config, marten);

        services.AddMediator(options =>
        {
            options.ServiceLifetime = ServiceLifetime.Scoped;
            options.Assemblies = [typeof(SendMessage)];
            // Outermost first: TracingBehavior's span holds the others', MetricsBehavior times everything inside it, validation included.
            options.PipelineBehaviors = [typeof(TracingBehavior<,>), typeof(MetricsBehavior<,>), typeof(ValidationBehavior<,>), typeof(RateLimitBehavior<,>), typeof(RetryOnConflictBehavior<,>)];
        });
        services.AddValidatorsFromAssemblyContaining<SendMessage>(ServiceLifetime.Singleton);
        services.AddSingleton<RunningRebuilds>();

        // Operability: OpenAPI document, health checks, OpenTelemetry metrics (EventChatMetrics, ProjectionLag, runtime,
        // process) and tracing (exported only when an OTLP endpoint is configured).
        services.ConfigureHttpJsonOptions(options => WireJson.Configure(options.SerializerOptions));
        services.AddApiReference();
        services.AddEventChatHealthChecks(config);
        services.AddEventChatMetrics();
        services.AddEventChatTracing(config);

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
        services.AddSingleton<AuditTrail>();
        services.AddHostedService<MasterKeyVerification>();
        services.AddAccountStandings();
        services.AddSync(config, jwt);
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<ServerApiSecret>();
        // Roles belong to accounts; the configuration's admins and moderators are granted to them once (docs/operations.md#roles).
        services.AddSingleton(RoleBootstrap.FromConfiguration(config));
        services.AddHostedService<RoleBootstrap>();
        // Security hardening: login brute-force limits (one node; a shared store can replace it behind the port) and allowed origins.
        services.AddSingleton(config.GetSection(LoginLimits.Section).Get<LoginLimits>() ?? new LoginLimits());
        services.AddSingleton<ILoginThrottle, InMemoryLoginThrottle>();
        // Register and login hash a password each: limited per client address and in how many run at once.
        services.AddAuthRateLimits(config);
        services.AddAllowedOrigins(config, env);
        services.AddAuthorization();
        services.AddAuthentication(TrustedIssuers.ChoosingScheme).AddJwtBearer(options =>
        {
            options.MapInboundClaims = false;
            // Nothing reads the token back from the authentication result, and a hub connection would keep a copy
            // of it in memory for as long as it stays open.
            options.SaveToken = false;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = JwtSettings.Issuer,
                ValidAudience = JwtSettings.Audience,
                IssuerSigningKey = jwt.Key,
                NameClaimType = JwtClaims.Name,
                RoleClaimType = JwtClaims.Role,
                ClockSkew = jwt.ClockSkew,
            };
            options.Events = new JwtBearerEvents
            {
                OnMessageReceived = context =>
                {
                    context.Token = BearerToken.From(context.Request);
                    return Task.CompletedTask;
                },
                // The validated principal carries every claim of the token (exp, iat, iss, aud, ...), each with a
                // property bag, and a reference to the parsed token. A hub connection keeps its principal while it
                // stays open, so keep only what EventChat reads: about 3 KB less per connection (docs/performance.md).
                OnTokenValidated = async context =>
                {
                    // Signed by our key yet naming no user (a key leaked or shared with another issuer): refused here, as 401,
                    // instead of failing every endpoint that reads the caller's id.
                    if (!context.Principal!.HasUserId(out _))
                        context.Fail("The token's subject is not a user id.");
                    else
                        await AccountStandings.RefuseClosed(context);
                    if (context.Result is null)
                        context.Principal = ClaimsPrincipalExtensions.Essentials(context.Principal!);
                },
            };
        })
            // The app's users, with tokens of the app's own issuers (docs/integrations.md).
            .AddTrustedIssuers(TrustedIssuers.FromConfiguration(config), jwt);

        var limits = config.GetSection(HubLimits.Section).Get<HubLimits>() ?? new HubLimits();
        services.AddSingleton(limits);
        services.AddSingleton<IRateLimiter, UserRateLimiter>();
        services.AddSingleton<TypingTracker>();
        services.AddSingleton<TokenExpiry>();
        services.AddSingleton<HeldConversations>();
        services.AddSingleton<ConversationRows>();
        services.AddSingleton<SendGroupCommit>();
        services.AddScoped<CallerTurn>();
        services.AddSingleton<StreamChatGroupCommit>();
        services.AddSingleton<IStreamViewers, InMemoryStreamViewers>();
        services.AddSingleton<ViewerCountPushes>();
        var signalR = services.AddSignalR(options =>
        {
            // Outermost first: the call's span covers its wait in line; a call takes its place in its connection's line
            // before anything else runs.
            options.AddFilter<HubTracing>();
            options.AddFilter<CallerOrderFilter>();
            options.AddFilter<TokenExpiry>();
            options.AddFilter<HubErrorFilter>();
            options.MaximumParallelInvocationsPerClient = limits.CallsInFlight;
            options.MaximumReceiveMessageSize = limits.MaxHubMessageBytes;
            options.ClientTimeoutInterval = limits.ClientTimeout;
            options.KeepAliveInterval = limits.KeepAlive;
        }).AddJsonProtocol(options => WireJson.Configure(options.PayloadSerializerOptions));
        services.AddQuietHubRefusals();
        // Several nodes: with a Redis connection string, the backplane and shared presence/viewers replace the
        // in-memory ones registered above (the last registration wins). Without one, nothing changes.
        services.AddRedisScaleOut(signalR, config);
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

        // Authentication registers Data Protection, whose hosted service loads (or, on a fresh machine, creates and
        // writes) a key ring at every start: 0.5-0.7 s of start-up here. EventChat protects nothing with it (its
        // tokens are JWTs, it sets no cookies), so the key ring is left to load on first use, which never comes.
        foreach (var preload in services.Where(d => d.ImplementationType?.FullName == DataProtectionPreload).ToList())
            services.Remove(preload);
    }
}
