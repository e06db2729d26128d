using EventChat.Api.Hubs;
using EventChat.Api.ScaleOut;
using EventChat.Application.Conversations;
using EventChat.Application.Pipeline;
using EventChat.Application.Ports;
using EventChat.Application.Realtime;
using EventChat.Application.Streams;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EventChat.Api.Hosting;

/// <summary>
/// Real time: the SignalR hub with its limits and filters, what it pushes and who is online, the send writers (group
/// commit), and, with a Redis connection string, the same on several nodes (docs/architecture.md, "Real time").
/// </summary>
public static class RealtimeSetup
{
    public static IServiceCollection AddRealtime(this IServiceCollection services, IConfiguration config)
    {
        var limits = config.GetSection(HubLimits.Section).Get<HubLimits>() ?? new HubLimits();
        services.AddSingleton(limits);
        services.AddSingleton<INotifier, SignalRNotifier>();
        services.AddSingleton<IPresence, InMemoryPresence>();
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
        // Clients ported from Socket.IO call some methods with no payload at all.
        services.RemoveAll<IHubProtocol>();
        services.AddSingleton<IHubProtocol, PayloadOptionalJsonHubProtocol>();
        // SignalR's client timeout only starts once a client has sent its first message, so a client whose
        // network drops right after connecting would stay "online" for good. WebSocket-level pings, which
        // browsers answer by themselves, catch that case too.
        services.Configure<WebSocketOptions>(options =>
        {
            options.KeepAliveInterval = limits.KeepAlive;
            options.KeepAliveTimeout = limits.ClientTimeout;
        });
        // Several nodes: with a Redis connection string, the backplane and shared presence/viewers replace the
        // in-memory ones registered above (the last registration wins). Without one, nothing changes.
        services.AddRedisScaleOut(signalR, config);
        return services;
    }
}
