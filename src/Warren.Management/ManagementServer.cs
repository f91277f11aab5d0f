using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Warren.Management.Http;
using Warren.Management.Prometheus;
using Warren.Management.Resources;
using Warren.Management.Statistics;

namespace Warren.Management;

/// <summary>
/// The management plane of a broker: RabbitMQ's management HTTP API and its Prometheus endpoint,
/// each on its own Kestrel listener. It reads the broker through its query surface and changes it
/// through the operations AMQP uses. Disposing it stops both listeners.
/// </summary>
public sealed class ManagementServer : IAsyncDisposable
{
    private readonly RateSampler _sampler;
    private readonly WebApplication? _api;
    private readonly WebApplication? _prometheus;

    private ManagementServer(RateSampler sampler, WebApplication? api, WebApplication? prometheus, IPEndPoint? apiEndPoint, IPEndPoint? prometheusEndPoint)
    {
        _sampler = sampler;
        _api = api;
        _prometheus = prometheus;
        ApiEndPoint = apiEndPoint;
        PrometheusEndPoint = prometheusEndPoint;
    }

    /// <summary>Where the management API listens; null when it is off.</summary>
    public IPEndPoint? ApiEndPoint { get; }

    /// <summary>Where the Prometheus endpoint listens; null when it is off.</summary>
    public IPEndPoint? PrometheusEndPoint { get; }

    /// <summary>Starts the listeners the options ask for (either may be off).</summary>
    public static async Task<ManagementServer> StartAsync(Broker.Broker broker, ManagementOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var sampler = new RateSampler(broker, options.SampleInterval);
        var context = new ManagementContext(broker, options, sampler);
        WebApplication? api = null, prometheus = null;
        try
        {
            IPEndPoint? apiEndPoint = null, prometheusEndPoint = null;
            if (options.Port is { } port)
            {
                var router = new Router();
                OverviewApi.Map(router);
                VirtualHostsApi.Map(router);
                ExchangesApi.Map(router);
                QueuesApi.Map(router);
                BindingsApi.Map(router);
                ConnectionsApi.Map(router);
                var dispatcher = new ApiDispatcher(router, context, loggerFactory.CreateLogger<ManagementServer>());
                api = Build(new IPEndPoint(options.BindAddress, port), loggerFactory, app => app.Run(dispatcher.HandleAsync));
                await api.StartAsync(cancellationToken).ConfigureAwait(false);
                apiEndPoint = BoundEndPoint(api, options.BindAddress);
                context.ManagementPort = apiEndPoint.Port;
            }
            if (options.PrometheusPort is { } prometheusPort)
            {
                var endpoint = new PrometheusEndpoint(context);
                var address = options.PrometheusBindAddress ?? options.BindAddress;
                prometheus = Build(new IPEndPoint(address, prometheusPort), loggerFactory, app => app.Run(endpoint.HandleAsync));
                await prometheus.StartAsync(cancellationToken).ConfigureAwait(false);
                prometheusEndPoint = BoundEndPoint(prometheus, address);
                context.PrometheusPort = prometheusEndPoint.Port;
            }
            return new ManagementServer(sampler, api, prometheus, apiEndPoint, prometheusEndPoint);
        }
        catch
        {
            if (api is not null) await api.DisposeAsync().ConfigureAwait(false);
            if (prometheus is not null) await prometheus.DisposeAsync().ConfigureAwait(false);
            await sampler.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static WebApplication Build(IPEndPoint endPoint, ILoggerFactory loggerFactory, Action<WebApplication> configure)
    {
        // No appsettings, no ASPNETCORE_ variables, no hosting lifetime: the server's own options decide.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        // The embedding process owns Ctrl+C and SIGTERM; the listener only starts and stops with it.
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, EmbeddedLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(endPoint);
        });
        var app = builder.Build();
        configure(app);
        return app;
    }

    private static IPEndPoint BoundEndPoint(WebApplication app, IPAddress address)
    {
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new IPEndPoint(address, new Uri(url).Port);
    }

    private sealed class EmbeddedLifetime : Microsoft.Extensions.Hosting.IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Stops both listeners and the rate sampler.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _api.DisposeAsync().ConfigureAwait(false);
        }
        if (_prometheus is not null)
        {
            await _prometheus.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _prometheus.DisposeAsync().ConfigureAwait(false);
        }
        await _sampler.DisposeAsync().ConfigureAwait(false);
    }
}
