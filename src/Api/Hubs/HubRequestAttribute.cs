namespace EventChat.Api.Hubs;

/// <summary>
/// The record a hub method binds its JSON payload into (<see cref="HubPayload"/>). Hub methods take raw JSON, so
/// their signatures do not say it; this does, for tools that need the payload's shape, such as the bad-input sweep
/// of the integration tests, which fails for a hub method without one.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class HubRequestAttribute(Type requestType) : Attribute
{
    public Type RequestType { get; } = requestType;
}
