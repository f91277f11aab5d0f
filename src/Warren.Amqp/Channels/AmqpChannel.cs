using Warren.Amqp.Connections;
using Warren.Amqp.Framing;
using Warren.Amqp.Protocol;
using Warren.Broker;
using Warren.Broker.Storage;
using Warren.Broker.VirtualHosts;

namespace Warren.Amqp.Channels;

/// <summary>
/// One AMQP channel: its methods, content assembly, consumers and unacknowledged deliveries.
/// Methods arrive on the connection's read loop; deliveries may be written from any thread.
/// </summary>
internal sealed partial class AmqpChannel : IDurabilityListener, Broker.Clients.IClientChannel
{
    private readonly AmqpConnection _connection;
    private bool _released;

    public AmqpChannel(AmqpConnection connection, ushort number)
    {
        _connection = connection;
        Number = number;
    }

    public ushort Number { get; }

    /// <summary>
    /// Its message counts. Publish, get, ack and return are counted on the read loop, deliveries
    /// under the delivery lock, confirms under the confirm lock: one writer per field.
    /// </summary>
    public Broker.Statistics.MessageCounters Stats { get; } = new();

    Broker.Clients.IClientConnection Broker.Clients.IClientChannel.Connection => _connection;
    int Broker.Clients.IClientChannel.Number => Number;
    int Broker.Clients.IClientChannel.PrefetchCount => _consumerPrefetch;
    int Broker.Clients.IClientChannel.GlobalPrefetchCount => _channelPrefetch;
    int Broker.Clients.IClientChannel.UnackedCount { get { lock (_deliveryLock) return _unacked.Count; } }
    int Broker.Clients.IClientChannel.UnconfirmedCount { get { lock (_confirmLock) return _awaitingDisk.Count; } }
    int Broker.Clients.IClientChannel.ConsumerCount { get { lock (_deliveryLock) return _consumers.Count; } }
    bool Broker.Clients.IClientChannel.IsConfirmMode => _confirmMode;
    bool Broker.Clients.IClientChannel.IsTransactional => _txMode;

    /// <summary>True after the server sent channel.close and awaits channel.close-ok.</summary>
    public bool IsClosing { get; private set; }

    private VirtualHost VirtualHost => _connection.VirtualHost!;

    /// <summary>The connection's identity for exclusive queues.</summary>
    private object Owner => _connection;

    /// <summary>Handles one method frame. Protocol errors surface as <see cref="AmqpException"/>.</summary>
    public void HandleMethod(uint methodId, ReadOnlySpan<byte> arguments)
    {
        if (IsExpectingContent)
        {
            throw AmqpException.Connection(ReplyCode.UnexpectedFrame,
                "expected content header for class 60, got non content header frame instead", BasicPublish.Id);
        }
        try
        {
            Dispatch(methodId, arguments);
        }
        catch (BrokerException e)
        {
            throw AmqpException.For((ushort)e.Error, e.Message, methodId);
        }
    }

    private void Dispatch(uint methodId, ReadOnlySpan<byte> arguments)
    {
        switch (methodId)
        {
            case ChannelClose.Id: OnClose(); break;
            case ChannelCloseOk.Id: break; // only meaningful while closing, handled by the connection
            case ChannelFlow.Id: OnFlow(ChannelFlow.ReadFrom(arguments)); break;
            case ChannelFlowOk.Id: break;
            case ExchangeDeclare.Id: OnExchangeDeclare(ExchangeDeclare.ReadFrom(arguments)); break;
            case ExchangeDelete.Id: OnExchangeDelete(ExchangeDelete.ReadFrom(arguments)); break;
            case ExchangeBind.Id: OnExchangeBind(ExchangeBind.ReadFrom(arguments)); break;
            case ExchangeUnbind.Id: OnExchangeUnbind(ExchangeUnbind.ReadFrom(arguments)); break;
            case QueueDeclare.Id: OnQueueDeclare(QueueDeclare.ReadFrom(arguments)); break;
            case QueueBind.Id: OnQueueBind(QueueBind.ReadFrom(arguments)); break;
            case QueueUnbind.Id: OnQueueUnbind(QueueUnbind.ReadFrom(arguments)); break;
            case QueuePurge.Id: OnQueuePurge(QueuePurge.ReadFrom(arguments)); break;
            case QueueDelete.Id: OnQueueDelete(QueueDelete.ReadFrom(arguments)); break;
            case BasicQos.Id: OnQos(BasicQos.ReadFrom(arguments)); break;
            case BasicConsume.Id: OnConsume(BasicConsume.ReadFrom(arguments)); break;
            case BasicCancel.Id: OnCancel(BasicCancel.ReadFrom(arguments)); break;
            case BasicPublish.Id: OnPublish(BasicPublish.ReadFrom(arguments)); break;
            case BasicGet.Id: OnGet(BasicGet.ReadFrom(arguments)); break;
            case BasicAck.Id: OnAck(BasicAck.ReadFrom(arguments)); break;
            case BasicReject.Id: OnReject(BasicReject.ReadFrom(arguments)); break;
            case BasicNack.Id: OnNack(BasicNack.ReadFrom(arguments)); break;
            case BasicRecover.Id: OnRecover(BasicRecover.ReadFrom(arguments).Requeue, reply: true); break;
            case BasicRecoverAsync.Id: OnRecover(BasicRecoverAsync.ReadFrom(arguments).Requeue, reply: false); break;
            case ConfirmSelect.Id: OnConfirmSelect(ConfirmSelect.ReadFrom(arguments)); break;
            case TxSelect.Id: OnTxSelect(); break;
            case TxCommit.Id: OnTxCommit(); break;
            case TxRollback.Id: OnTxRollback(); break;
            case ChannelOpen.Id:
                throw AmqpException.Connection(ReplyCode.ChannelError, $"second 'channel.open' seen", methodId);
            default:
                throw UnknownMethod(methodId);
        }
    }

    /// <summary>
    /// A method RabbitMQ cannot decode ends the connection without a connection.close (its frame
    /// decoder fails); a known method used where it has no place is 503 COMMAND_INVALID.
    /// </summary>
    internal static AmqpException UnknownMethod(uint methodId) =>
        MethodNames.IsKnown(methodId)
            ? AmqpException.Connection(ReplyCode.CommandInvalid, $"{MethodNames.Of(methodId)} not allowed here", methodId)
            : AmqpException.Drop($"unknown method (class {AmqpMethodId.ClassId(methodId)}, method {AmqpMethodId.MethodIndex(methodId)})", methodId);

    private void OnClose()
    {
        Release();
        Send(new ChannelCloseOk());
        _connection.RemoveChannel(Number);
    }

    private void OnFlow(ChannelFlow flow)
    {
        // RabbitMQ does not let clients stop a channel's deliveries with channel.flow.
        if (!flow.Active) throw AmqpException.Connection(ReplyCode.NotImplemented, "active=false", ChannelFlow.Id);
        Send(new ChannelFlowOk(true));
    }

    /// <summary>Closes the channel for a soft error: frees its resources and sends channel.close; the client answers close-ok.</summary>
    public void CloseWithError(AmqpException error)
    {
        Release();
        IsClosing = true;
        Send(new ChannelClose(error.ReplyCode, error.ReplyText, AmqpMethodId.ClassId(error.MethodId), AmqpMethodId.MethodIndex(error.MethodId)));
    }

    /// <summary>Frees what the channel holds: cancels its consumers and requeues its unacknowledged deliveries.</summary>
    public void Release()
    {
        if (!_released && _connection.VirtualHost is { } host)
        {
            // The host keeps the totals of closed channels, so its message_stats never go backwards.
            _released = true;
            host.ClosedChannelStats.AddAtomically(Stats.Read());
            _connection.Broker.Clients.NoteChannelClosed();
        }
        _connection.Storage?.RemoveListener(this);
        DiscardTransaction();
        AbandonContent();
        CancelAllConsumers();
        RequeueAllUnacked();
    }

    /// <summary>Writes one method frame on this channel and wakes the writer.</summary>
    internal void Send<T>(in T method) where T : IAmqpMethod
    {
        var output = _connection.Output;
        lock (output.Sync) FrameWriter.WriteMethodFrame(output.Buffer, Number, method);
        output.Signal();
    }
}
