using EventChat.Api.Hubs;

namespace EventChat.Api.Auth;

/// <summary>Where a request carries its token: the <c>Authorization</c> header, or, for the hub, <c>?access_token=</c>.</summary>
public static class BearerToken
{
    private const string Prefix = "Bearer ";

    public static string? From(HttpRequest request)
    {
        if (request.Headers.Authorization.ToString() is { } header && header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            return header[Prefix.Length..].Trim();
        return HubQueryToken(request);
    }

    /// <summary>Browsers cannot set headers on WebSocket/SSE requests, so the hub also takes <c>?access_token=</c>.</summary>
    public static string? HubQueryToken(HttpRequest request) =>
        request.Path.StartsWithSegments(ChatHub.Path) && request.Query["access_token"].ToString() is { Length: > 0 } token ? token : null;
}
