using EventChat.Api.Auth;
using EventChat.Api.Hubs;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace EventChat.Api.Hosting;

/// <summary>
/// Every place EventChat changes a default of ASP.NET Core, SignalR or .NET to save memory or CPU per connection, or to
/// keep tokens and noise out of the logs. Each leans on how the framework behaves today, not on a promise it makes, so a
/// framework upgrade breaks these first: after one, run the tests docs/architecture.md ("Framework workarounds") names
/// for each. Two cannot live here: the GC and thread-pool settings are in EventChat.Api.csproj, and
/// <see cref="HubRequestToken"/> is middleware that <see cref="EventChatHost.Build"/> places after authorisation.
/// </summary>
public static class FrameworkWorkarounds
{
    /// <summary>Registered last, since it changes what the other pieces registered.</summary>
    public static void AddFrameworkWorkarounds(this WebApplicationBuilder builder)
    {
        LogNoRequestUrls(builder.Logging);
        CaptureNoLogScopes(builder.Services);
        KeepOnlyEssentialClaims(builder.Services);
        builder.Services.AddQuietHubRefusals();
        SkipDataProtectionPreload(builder.Services);
    }

    /// <summary>
    /// Request-start lines carry the full URL, and a browser's hub connection puts its token in the query string
    /// (<c>?access_token=</c>), so the hosting category logs from <c>Warning</c> up only, whatever the configuration says.
    /// </summary>
    private static void LogNoRequestUrls(ILoggingBuilder logging) =>
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

    /// <summary>
    /// No log line prints scopes (the console formatter leaves them out), yet every request captures three (Kestrel's
    /// connection, the request, SignalR's connection), and a hub connection holds its scopes, their state and the
    /// async-local that carries them for as long as it stays open (docs/performance.md).
    /// </summary>
    private static void CaptureNoLogScopes(IServiceCollection services) =>
        services.Configure<LoggerFilterOptions>(options => options.CaptureScopes = false);

    /// <summary>
    /// The validated principal carries every claim of the token (exp, iat, iss, aud, ...), each with a property bag, and
    /// a reference to the parsed token; a hub connection keeps its principal, and with <c>SaveToken</c> the token itself,
    /// for as long as it stays open. Only what EventChat reads is kept: about 3 KB less per connection
    /// (docs/performance.md). Runs after <see cref="AccountSetup"/>'s own checks of the token.
    /// </summary>
    private static void KeepOnlyEssentialClaims(IServiceCollection services) =>
        services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            options.SaveToken = false;
            var validated = options.Events.OnTokenValidated;
            options.Events.OnTokenValidated = async context =>
            {
                await validated(context);
                if (context.Result is null)
                    context.Principal = ClaimsPrincipalExtensions.Essentials(context.Principal!);
            };
        });

    /// <summary>
    /// Authentication registers Data Protection, whose hosted service loads (or, on a fresh machine, creates and writes)
    /// a key ring at every start: 0.5-0.7 s of start-up here. EventChat protects nothing with it (its tokens are JWTs, it
    /// sets no cookies), so the key ring is left to load on first use, which never comes. The service is internal, so it
    /// can only be found by its name.
    /// </summary>
    private static void SkipDataProtectionPreload(IServiceCollection services)
    {
        foreach (var preload in services.Where(d => d.ImplementationType?.FullName == DataProtectionPreload).ToList())
            services.Remove(preload);
    }

    private const string DataProtectionPreload = "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService";
}
