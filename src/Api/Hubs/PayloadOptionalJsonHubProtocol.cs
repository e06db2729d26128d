using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace EventChat.Api.Hubs;

/// <summary>
/// SignalR's JSON protocol, except that a call with no arguments to a method taking one payload gets a
/// null payload. Clients ported from Socket.IO call some methods bare (<c>invoke("getOnlineUsers")</c>);
/// plain SignalR rejects those before any hub code runs, with a generic error and no <c>error</c> event.
/// </summary>
public sealed class PayloadOptionalJsonHubProtocol(IOptions<JsonHubProtocolOptions> options) : IHubProtocol
{
    private readonly JsonHubProtocol _json = new(options);

    public string Name => _json.Name;
    public int Version => _json.Version;
    public TransferFormat TransferFormat => _json.TransferFormat;

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        var unread = input;
        if (!_json.TryParseMessage(ref input, binder, out message))
            return false;
        if (message is InvocationBindingFailureMessage failure
            && TakesOnePayload(binder, failure.Target)
            && _json.TryParseMessage(ref unread, new WithoutParameters(binder), out var bare)
            && bare is InvocationMessage { Arguments.Length: 0 } invocation)
            message = new InvocationMessage(invocation.InvocationId, invocation.Target, [null], invocation.StreamIds) { Headers = invocation.Headers };
        return true;
    }

    // The binder throws for a method the hub does not have; that must stay SignalR's own "method does not
    // exist" failure of the one call, not an exception that closes the connection.
    private static bool TakesOnePayload(IInvocationBinder binder, string method)
    {
        try
        {
            return binder.GetParameterTypes(method).Count == 1;
        }
        catch (HubException)
        {
            return false;
        }
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _json.WriteMessage(message, output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _json.GetMessageBytes(message);

    public bool IsVersionSupported(int version) => _json.IsVersionSupported(version);

    // Re-reads an invocation as if its method took nothing, to tell "no arguments" from a real binding error.
    private sealed class WithoutParameters(IInvocationBinder binder) : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => [];

        public Type GetReturnType(string invocationId) => binder.GetReturnType(invocationId);

        public Type GetStreamItemType(string streamId) => binder.GetStreamItemType(streamId);
    }
}
