using EventChat.Api;

EventChatHost.Build(args).Run();
