using Microsoft.IdentityModel.Tokens;

namespace EventChat.Api.Auth;

/// <summary>
/// A trusted issuer's signing keys, from its JWKS URL. Fetched on first use and again every
/// <see cref="TrustedIssuer.JwksRefreshInterval"/>; a token naming a key id the set does not hold fetches it again at once
/// (the issuer rotated its keys), but at most once per <see cref="TrustedIssuer.JwksMinimumRefresh"/>, so tokens with
/// made-up key ids cannot make EventChat hammer the issuer. A failed fetch keeps the keys it had.
/// </summary>
public sealed class JwksKeys(TrustedIssuer issuer, HttpClient http, TimeProvider clock, ILogger log)
{
    private readonly SemaphoreSlim _fetching = new(1, 1);
    private volatile IReadOnlyList<SecurityKey> _keys = [];

    // UTC ticks, read without the lock by every request: a long is read whole, a DateTimeOffset might not be.
    private long _triedAt = DateTimeOffset.MinValue.UtcTicks;
    private long _fetchedAt = DateTimeOffset.MinValue.UtcTicks;

    /// <summary>The keys for a token naming <paramref name="kid"/>: that one if known, else every key (a token may name none).</summary>
    public IEnumerable<SecurityKey> For(string? kid)
    {
        var keys = _keys;
        var named = keys.Where(key => key.KeyId == kid).ToList();
        return named.Count > 0 ? named : keys;
    }

    /// <summary>Before a token naming <paramref name="kid"/> is validated: fetches the set if it is stale or lacks that key.</summary>
    public async Task Refresh(string? kid, CancellationToken ct)
    {
        if (!NeedsFetch(kid))
            return;
        await _fetching.WaitAsync(ct);
        try
        {
            // Another request may have fetched while this one waited.
            if (NeedsFetch(kid))
                await Fetch(ct);
        }
        finally
        {
            _fetching.Release();
        }
    }

    private bool NeedsFetch(string? kid)
    {
        var now = clock.GetUtcNow().UtcTicks;
        if (now - Volatile.Read(ref _triedAt) < issuer.JwksMinimumRefresh.Ticks)
            return false;
        return now - Volatile.Read(ref _fetchedAt) >= issuer.JwksRefreshInterval.Ticks || (kid is not null && _keys.All(key => key.KeyId != kid));
    }

    private async Task Fetch(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcTicks;
        Volatile.Write(ref _triedAt, now);
        try
        {
            var set = new JsonWebKeySet(await http.GetStringAsync(issuer.JwksUrl, ct));
            _keys = [.. set.GetSigningKeys()];
            Volatile.Write(ref _fetchedAt, now);
        }
        catch (Exception e) when (e is HttpRequestException or ArgumentException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            log.LogWarning("could not fetch the signing keys of issuer {Issuer} from {JwksUrl}; keeping the {Count} it had: {Error}",
                issuer.Issuer, issuer.JwksUrl, _keys.Count, e.Message);
        }
    }
}
