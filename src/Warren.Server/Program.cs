using Warren.Server;

await using var server = await WarrenServer.StartAsync(WarrenServerOptions.Default);
Console.WriteLine($"Warren listening on 127.0.0.1:{server.Port}");
await Task.Delay(Timeout.Infinite);
