using Microsoft.AspNetCore.SignalR;

namespace EventChat.Api.Hubs;

/// <summary>
/// Keeps SignalR from logging EventChat's refusals as errors. A hub call or a connection can only be failed by throwing,
/// and SignalR logs whatever it catches at <c>Error</c> with its stack trace (<c>Failed to invoke hub method</c>,
/// <c>Error when dispatching 'OnConnectedAsync'</c>). EventChat throws a <see cref="HubException"/> exactly where it
/// has decided to refuse (<see cref="HubErrorFilter"/>, <c>RefusedAccountConnections</c>, the connection limit), and has
/// already logged there what is worth logging: an unexpected cause at <c>Error</c> with its own stack trace, a refusal
/// the client caused in one <c>Debug</c> line. So SignalR's line for a <see cref="HubException"/> is dropped. Any other
/// exception that reaches SignalR, such as one from outside those places, is still logged by it, stack trace and all.
/// </summary>
/// <remarks>
/// SignalR gives its hub dispatcher a logger made from the <see cref="ILoggerFactory"/> its connection handler was
/// built with, so the handler of <see cref="ChatHub"/> is built here with a factory that filters; every other logger
/// of the app is untouched.
/// </remarks>
public static class QuietHubRefusals
{
    public static IServiceCollection AddQuietHubRefusals(this IServiceCollection services) =>
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<HubConnectionHandler<ChatHub>>(provider,
            (ILoggerFactory)new Factory(provider.GetRequiredService<ILoggerFactory>())));

    private sealed class Factory(ILoggerFactory inner) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new Logger(inner.CreateLogger(categoryName));

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        // The app's factory, shared: the host disposes it.
        public void Dispose()
        {
        }
    }

    private sealed class Logger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (exception is HubException)
                return;
            // A payload that does not fit the method's parameters (a Debug line): the client's mistake, for which a
            // stack trace says nothing.
            inner.Log(logLevel, eventId, state, eventId.Name == "InvalidHubParameters" ? null : exception, formatter);
        }
    }
}
