namespace EventChat.Application;

/// <summary>The server-to-client event names of the wire contract, spelled once.</summary>
public static class ClientEvents
{
    public const string MessageSent = "messageSent";
    public const string NewMessage = "newMessage";
    public const string ReceiveMessage = "receiveMessage";
    public const string MessageRead = "messageRead";
    public const string Error = "error";
}
