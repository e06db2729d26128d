using System.Threading.RateLimiting;
using EventChat.Api.Errors;
using EventChat.Domain;
using Microsoft.AspNetCore.RateLimiting;

namespace EventChat.Api.Auth;

/// <summary>
/// Limits of the unauthenticated auth endpoints (register, login), bound from <c>EventChat:AuthLimits</c> (see
/// docs/operations.md). Each call hashes a password, about 100 ms of one core, so an unlimited flood of them takes
/// every core and thread and starves everyone else. Load tests, which register many users from one address, raise them.
/// </summary>
public sealed record AuthLimits
{
    public const string Section = "EventChat:AuthLimits";

    /// <summary>Calls one client address may make in a burst: the size of its token bucket.</summary>
    public int AddressBurst { get; init; } = 20;

    /// <summary>Calls per minute an address's bucket gets back, i.e. its sustained rate.</summary>
    public int AddressRequestsPerMinute { get; init; } = 20;

    /// <summary>
    /// Calls this node serves at once, from all addresses together: what bounds the cores spent hashing, and how many
    /// guesses can be in flight past the login lockout's check (see <see cref="Application.Ports.ILoginThrottle"/>).
    /// </summary>
    public int ConcurrentRequests { get; init; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Calls that wait for a turn, oldest first, when all are taken; one more is refused.</summary>
    public int QueuedRequests { get; init; } = 50;

    public static AuthLimits Resolve(IConfiguration config)
    {
        var limits = config.GetSection(Section).Get<AuthLimits>() ?? new AuthLimits();
        if (limits.AddressBurst < 1 || limits.AddressRequestsPerMinute < 1 || limits.ConcurrentRequests < 1 || limits.QueuedRequests < 0)
            throw new InvalidOperationException(
                $"{Section}: AddressBurst, AddressRequestsPerMinute and ConcurrentRequests must be at least 1, QueuedRequests at least 0.");
        return limits;
    }
}

/// <summary>
/// The auth endpoints' two limits. Per client address, a token bucket in ASP.NET Core's rate-limiting middleware
/// refuses a flood before it costs anything. Per node, a concurrency limit with a bounded queue keeps what gets through
/// (from many addresses, say) to a few cores. Both answer <c>429</c> with <c>Retry-After</c>; other endpoints,
/// health included, go through neither.
/// </summary>
public static class AuthRateLimits
{
    private const string PerAddressPolicy = "auth-per-address";

    public static IServiceCollection AddAuthRateLimits(this IServiceCollection services, IConfiguration config)
    {
        var limits = AuthLimits.Resolve(config);
        services.AddSingleton(limits);
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(PerAddressPolicy, http => RateLimitPartition.GetTokenBucketLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limits.AddressBurst,
                    TokensPerPeriod = 1,
                    ReplenishmentPeriod = TimeSpan.FromMinutes(1) / limits.AddressRequestsPerMinute,
                    QueueLimit = 0,
                }));
            options.OnRejected = async (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                var error = new ApiError(StatusCodes.Status429TooManyRequests, ApiError.CodeFor(StatusCodes.Status429TooManyRequests),
                    "Too many sign-ups and logins from your address. Please try again later.") { RetryAfter = retryAfter };
                await ProblemDetailsExceptionHandler.Write(context.HttpContext, error);
            };
        });
        // Not a second limiter in the middleware: when one of its limiters has to queue a call, the middleware gives
        // back the other's lease and acquires both again, which would charge the address's bucket twice.
        services.AddSingleton(new AuthConcurrency(new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = limits.ConcurrentRequests,
            QueueLimit = limits.QueuedRequests,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        })));
        return services;
    }

    /// <summary>Puts the endpoints of <paramref name="group"/> under both limits; the app must <c>UseRateLimiter()</c>.</summary>
    public static RouteGroupBuilder RequireAuthLimits(this RouteGroupBuilder group)
    {
        group.RequireRateLimiting(PerAddressPolicy);
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            using var lease = await http.RequestServices.GetRequiredService<AuthConcurrency>().Limiter.AcquireAsync(1, http.RequestAborted);
            if (!lease.IsAcquired)
                throw new DomainException(DomainError.RateLimited, "Too many sign-ups and logins right now. Please try again in a moment.");
            return await next(context);
        });
        return group;
    }

    private sealed record AuthConcurrency(ConcurrencyLimiter Limiter);
}
