using System.Buffers;
using BenchmarkDotNet.Attributes;
using EventChat.Application;
using EventChat.Application.Conversations;
using EventChat.Domain.Conversations;
using EventChat.Projections;
using Marten;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Weasel.Core;

namespace EventChat.Benchmarks;

/// <summary>
/// The CPU work of one direct-message send, step by step, with no database: the decision, the JSON Marten stores
/// (the event and the three documents a send rewrites: the write-model snapshot, the conversation view and the
/// message view), the projections that build those documents, and the SignalR payloads pushed to both users.
/// Serialisation uses the server's settings: Marten with System.Text.Json, camelCase, enums as strings; SignalR's
/// JSON hub protocol with its defaults.
/// </summary>
[MemoryDiagnoser]
public class SendHotPath
{
    private static readonly Guid Alice = Guid.Parse("01a219be-9309-738b-8134-897a4d9c7183");
    private static readonly Guid Bob = Guid.Parse("01a219be-9490-7b49-9984-3ac5f9f4c86d");
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-26T21:24:10.3755557+00:00", System.Globalization.CultureInfo.InvariantCulture);
    private const string Content = "1764192250375557123|Hi Bob, are we still on for lunch on Friday? xxxxxxxxxxxxxxxxxxx";

    private Marten.ISerializer _marten = null!;
    private JsonHubProtocol _hub = null!;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private Conversation _state = null!;
    private MessageSent _sent = null!;
    private ConversationView _view = null!;
    private MessageView _message = null!;
    private MessageDelivery _delivery = null!;
    private byte[] _snapshotJson = [];

    [GlobalSetup]
    public void Setup()
    {
        var options = new StoreOptions();
        options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
        _marten = options.Serializer();
        _hub = new JsonHubProtocol(Options.Create(new JsonHubProtocolOptions()));

        // A direct conversation with some history: 40 messages and both read pointers set.
        var started = Conversation.StartDirect(Alice, Bob, Now);
        _state = Conversation.Create(started);
        _view = ConversationViewProjection.Create(started);
        for (var i = 0; i < 40; i++)
        {
            var e = _state.Send(Guid.CreateVersion7(), i % 2 == 0 ? Alice : Bob, Content, MessageTypes.Text, $"client-{i}", Now);
            _state = _state.Apply(e);
            _view = ConversationViewProjection.Apply(e, _view);
        }
        var read = _state.MarkRead(Bob, Guid.CreateVersion7(), _state.LastSequence, unreadAfter: 0, Now)!;
        _state = _state.Apply(read);
        _view = ConversationViewProjection.Apply(read, _view);

        _sent = Decide();
        _message = MessageView.From(_sent);
        _delivery = new MessageDelivery(_message, ConversationDto.From(ConversationViewProjection.Apply(_sent, _view), 1), DeliveryStatus.Delivered, _state.LastMessageSequence);
        _snapshotJson = System.Text.Encoding.UTF8.GetBytes(_marten.ToJson(_state));
    }

    [Benchmark(Description = "decide: Conversation.Send")]
    public MessageSent Decide() =>
        _state.Send(Guid.CreateVersion7(), Alice, Content, MessageTypes.Text, "client-42", Now);

    [Benchmark(Description = "Marten JSON: MessageSent event")]
    public string SerializeEvent() => _marten.ToJson(_sent);

    [Benchmark(Description = "Marten JSON: read the Conversation snapshot")]
    public Conversation ReadSnapshot() => _marten.FromJson<Conversation>(new MemoryStream(_snapshotJson));

    [Benchmark(Description = "project: Conversation.Apply (snapshot)")]
    public Conversation ApplySnapshot() => _state.Apply(_sent);

    [Benchmark(Description = "project: MessageView.From")]
    public MessageView ProjectMessageView() => MessageView.From(_sent);

    [Benchmark(Description = "project: ConversationView.Apply")]
    public ConversationView ProjectConversationView() => ConversationViewProjection.Apply(_sent, _view);

    [Benchmark(Description = "Marten JSON: the three documents a send rewrites")]
    public int SerializeDocuments() =>
        _marten.ToJson(_state.Apply(_sent)).Length + _marten.ToJson(ConversationViewProjection.Apply(_sent, _view)).Length + _marten.ToJson(_message).Length;

    [Benchmark(Description = "SignalR JSON: one newMessage push")]
    public int PushPayload()
    {
        _buffer.ResetWrittenCount();
        _hub.WriteMessage(new InvocationMessage(ClientEvents.NewMessage, [_delivery]), _buffer);
        return _buffer.WrittenCount;
    }

    /// <summary>Everything above for one direct message: what a send costs the server's CPU before any I/O.</summary>
    [Benchmark(Description = "whole send: decide + store JSON + project + 3 pushes")]
    public int WholeSend()
    {
        var snapshot = _marten.FromJson<Conversation>(new MemoryStream(_snapshotJson));
        var sent = snapshot.Send(Guid.CreateVersion7(), Alice, Content, MessageTypes.Text, "client-42", Now);
        var message = MessageView.From(sent);
        var view = ConversationViewProjection.Apply(sent, _view);
        var bytes = _marten.ToJson(sent).Length + _marten.ToJson(snapshot.Apply(sent)).Length + _marten.ToJson(view).Length + _marten.ToJson(message).Length;
        _buffer.ResetWrittenCount();
        _hub.WriteMessage(new InvocationMessage(ClientEvents.MessageSent, [new MessageDelivery(message, ConversationDto.From(view, 0), DeliveryStatus.Sent, snapshot.LastMessageSequence)]), _buffer);
        var delivered = new MessageDelivery(message, ConversationDto.From(view, 1), DeliveryStatus.Delivered, snapshot.LastMessageSequence);
        _hub.WriteMessage(new InvocationMessage(ClientEvents.NewMessage, [delivered]), _buffer);
        _hub.WriteMessage(new InvocationMessage(ClientEvents.ReceiveMessage, [new ReceivedMessage(message, delivered.Conversation)]), _buffer);
        return bytes + _buffer.WrittenCount;
    }
}
