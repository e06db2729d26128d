using System.Net;
using System.Net.Sockets;
using EventChat.Domain;

namespace EventChat.Application.Webhooks;

/// <summary>
/// Where a webhook may point: a public address, unless the operator allows private networks
/// (<see cref="WebhookOptions.AllowPrivateNetworks"/>). Checked at registration, by the host's addresses, and again on
/// every connection a delivery opens (the dispatcher's connect callback), so a name that later resolves to an inside
/// address (DNS rebinding) reaches nothing either.
/// </summary>
public sealed class WebhookTargets(WebhookOptions options)
{
    public async Task Check(Uri url, CancellationToken ct)
    {
        if (options.AllowPrivateNetworks)
            return;
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(url.Host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(url.Host, ct);
        }
        catch (SocketException)
        {
            throw new DomainException(DomainError.Invalid, $"'url': the host {url.Host} could not be resolved.");
        }
        if (addresses.Length == 0 || !addresses.All(IsPublic))
            throw new DomainException(DomainError.Invalid,
                $"'url': {url.Host} is a private, loopback or link-local address; webhooks go to public addresses unless the operator allows private networks.");
    }

    /// <summary>Whether the connection to <paramref name="address"/> is allowed: public, or private networks allowed.</summary>
    public bool Allows(IPAddress address) => options.AllowPrivateNetworks || IsPublic(address);

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
            return false;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal);
        var b = address.GetAddressBytes();
        return !(b[0] == 10 || b[0] == 0 || b[0] == 127 || b[0] >= 224                 // private, "this network", loopback, multicast and reserved
            || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168) // private
            || (b[0] == 169 && b[1] == 254)                                             // link-local (cloud metadata services)
            || (b[0] == 100 && b[1] >= 64 && b[1] <= 127));                             // carrier-grade NAT
    }
}
