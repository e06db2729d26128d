using EventChat.Api.Errors;
using EventChat.Api.Hubs;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace EventChat.Api.Auth;

/// <summary>
/// Which web pages may open the hub and call the API from a browser, from <c>EventChat:AllowedOrigins</c>
/// (e.g. <c>https://chat.example.com</c>; <c>*</c> allows any). The server's own origin is always allowed,
/// and in Development so is any page on a loopback address (a front-end dev server on another port).
/// A request without an <c>Origin</c> header comes from a non-browser client (a mobile app, a script): a page
/// cannot leave the header out, so it proves nothing against such clients and they are allowed.
/// </summary>
public sealed class AllowedOrigins
{
    public const string Section = "EventChat:AllowedOrigins";

    private readonly HashSet<string> _origins;
    private readonly bool _any;
    private readonly bool _loopback;

    private AllowedOrigins(IEnumerable<string> origins, bool loopback)
    {
        _origins = new(origins.Select(o => o.Trim().TrimEnd('/')), StringComparer.OrdinalIgnoreCase);
        _any = _origins.Remove("*");
        _loopback = loopback;
    }

    public static AllowedOrigins Resolve(IConfiguration config, IHostEnvironment env) =>
        new(config.GetSection(Section).Get<string[]>() ?? [], loopback: env.IsDevelopment());

    /// <summary>Whether a page of <paramref name="origin"/> may use the API (CORS and the hub's check).</summary>
    public bool Allows(string origin) =>
        _any || _origins.Contains(origin) || (_loopback && Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.IsLoopback);

    /// <summary>
    /// Same origin: the page was served by this host. Compared by host and port as the browser addressed them, not by
    /// scheme, because behind a TLS-terminating proxy the page is https while this server sees http.
    /// </summary>
    public static bool IsSameOrigin(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);

    public bool Admits(HttpRequest request) =>
        request.Headers.Origin.ToString() is not { Length: > 0 } origin || IsSameOrigin(origin, request) || Allows(origin);
}

public static class AllowedOriginsExtensions
{
    /// <summary>The allow-list, and CORS for REST from the same list: bearer tokens only, no cookies, so no credentials.</summary>
    public static IServiceCollection AddAllowedOrigins(this IServiceCollection services, IConfiguration config, IHostEnvironment env)
    {
        var origins = AllowedOrigins.Resolve(config, env);
        services.AddSingleton(origins);
        services.AddCors(options => options.AddDefaultPolicy(policy => policy
            .SetIsOriginAllowed(origins.Allows)
            .AllowAnyMethod()
            .WithHeaders(HeaderNames.Authorization, HeaderNames.ContentType, "X-Requested-With", "X-SignalR-User-Agent")
            .WithExposedHeaders(HeaderNames.Location, HeaderNames.RetryAfter)));
        return services;
    }

    /// <summary>
    /// Refuses a hub request (negotiate or connect) from a page of a foreign origin with <c>403</c>, before any upgrade
    /// to a WebSocket. WebSockets are not covered by CORS: without this, any site a signed-in user visits could open
    /// the hub with a token it got hold of, or, were cookies ever used, with the user's own session.
    /// </summary>
    public static IApplicationBuilder UseHubOriginCheck(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (!http.Request.Path.StartsWithSegments(ChatHub.Path) || http.RequestServices.GetRequiredService<AllowedOrigins>().Admits(http.Request))
        {
            await next(http);
            return;
        }
        http.Response.StatusCode = StatusCodes.Status403Forbidden;
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new()
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "This origin may not use the chat hub.",
                Detail = $"The page's origin is not in {AllowedOrigins.Section}; an operator can add it there.",
                Extensions = { ["code"] = ApiError.CodeFor(StatusCodes.Status403Forbidden) },
            },
        });
    });
}
