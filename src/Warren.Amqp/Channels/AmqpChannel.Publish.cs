using System.Buffers;
using Warren.Amqp.Connections;
using Warren.Amqp.Framing;
using Warren.Amqp.Protocol;
using Warren.Broker;
using Warren.Broker.Messages;
using Warren.Broker.Storage;
using Warren.Broker.VirtualHosts;

namespace Warren.Amqp.Channels;

internal sealed partial class AmqpChannel
{
    // Content assembly: basic.publish, then a content header, then body frames up to body-size.
    // The body buffer follows the bytes that arrived, not the size the header announces: a header
    // alone (a few dozen bytes) must not make the server commit up to max-message-size.
    private const int InitialBodyBuffer = 64 * 1024;
    private BasicPublish _publish;
    private bool _awaitingHeader;
    private MessageProperties? _properties;
    private byte[]? _body;
    private int _bodySize;
    private int _bodyReceived;
    private long _contentProgressTicks; // Environment.TickCount64 of the header or the last body frame; 0: no content under way

    // Publisher confirms. A publish is confirmed once its durability ticket is on disk and every
    // earlier publish is confirmed; confirms go out coalesced (multiple) at the end of a read batch
    // or when the storage flusher reports progress.
    private bool _confirmMode;
    private ulong _publishSequence;
    private readonly object _confirmLock = new();
    private readonly Queue<(ulong Sequence, long Ticket, bool Nack)> _awaitingDisk = new();
    private readonly List<(ulong UpTo, bool Nack)> _readyConfirms = new(); // runs of acks or nacks, in order
    private ulong _confirmedUpTo;

    /// <summary>True between basic.publish and its last body frame.</summary>
    public bool IsExpectingContent => _awaitingHeader || _body is not null;

    private void OnPublish(BasicPublish publish)
    {
        if (publish.Immediate)
        {
            throw AmqpException.Connection(ReplyCode.NotImplemented, "immediate=true", BasicPublish.Id);
        }
        // The exchange is checked now, as RabbitMQ does, so the error names basic.publish.
        CheckPublish(publish.Exchange);
        var exchange = VirtualHost.GetExchange(publish.Exchange);
        CheckTopic(exchange, publish.RoutingKey, Broker.Security.AccessKind.Write);
        if (exchange.Settings.Internal)
        {
            throw new BrokerException(BrokerError.AccessRefused,
                $"cannot publish to internal exchange '{publish.Exchange}' in vhost '{VirtualHost.Name}'");
        }
        _publish = publish;
        _awaitingHeader = true;
    }

    /// <summary>Handles a content header frame.</summary>
    public void HandleContentHeader(ReadOnlySpan<byte> payload)
    {
        if (!_awaitingHeader)
        {
            throw AmqpException.Connection(ReplyCode.UnexpectedFrame, "expected method frame, got non method frame instead", 0);
        }
        var classId = ContentHeader.ReadClassId(payload);
        if (classId != AmqpClassId.Basic)
        {
            throw AmqpException.Connection(ReplyCode.FrameError, $"content header for class {classId} but the method was of class 60", BasicPublish.Id);
        }
        var (bodySize, properties) = ContentHeader.Read(payload);
        if (properties.ReplyTo == DirectReplyTo.PseudoQueue) properties.ReplyTo = ReplyToAddress();
        ValidateProperties(properties);
        var maxSize = _connection.Options.MaxMessageSize;
        if (bodySize > (ulong)maxSize)
        {
            throw AmqpException.Channel(ReplyCode.PreconditionFailed,
                $"message size {bodySize} is larger than configured max size {maxSize}", BasicPublish.Id);
        }
        if (properties.UserId is { } userId && userId != _connection.UserName)
        {
            throw AmqpException.Channel(ReplyCode.PreconditionFailed,
                $"user_id property set to '{userId}' but authenticated user was '{_connection.UserName}'", BasicPublish.Id);
        }
        _awaitingHeader = false;
        _properties = properties;
        _bodySize = (int)bodySize;
        _body = bodySize == 0 ? [] : new byte[Math.Min(_bodySize, InitialBodyBuffer)];
        _bodyReceived = 0;
        if (bodySize == 0)
        {
            CompletePublish();
            return;
        }
        Volatile.Write(ref _contentProgressTicks, Environment.TickCount64);
        _connection.WatchContent();
    }

    /// <summary>
    /// When the content under way last made progress (Environment.TickCount64), or 0 when none is.
    /// Read by the connection's content watchdog on another thread.
    /// </summary>
    public long ContentProgressTicks => Volatile.Read(ref _contentProgressTicks);

    /// <summary>After the connection did not read for a while (a resource alarm), the wait restarts.</summary>
    public void RestartContentClock()
    {
        if (ContentProgressTicks != 0) Volatile.Write(ref _contentProgressTicks, Environment.TickCount64);
    }

    /// <summary>The watchdog found this channel's content stalled: closes the channel (406), freeing its partial body.</summary>
    public void FailStalledContent(TimeSpan timeout)
    {
        if (ContentProgressTicks == 0 || IsClosing) return;
        var received = _bodyReceived;
        var size = _bodySize;
        CloseWithError(AmqpException.Channel(ReplyCode.PreconditionFailed,
            $"content body for basic.publish not received within {timeout.TotalSeconds:0} s ({received} of {size} bytes arrived)", BasicPublish.Id));
    }

    // What RabbitMQ refuses in a published message: an expiration that is not a non-negative
    // integer, CC/BCC headers that are not arrays.
    private static void ValidateProperties(MessageProperties properties)
    {
        if (properties.Expiration is { } expiration)
        {
            var digits = 0;
            var negative = expiration.StartsWith('-');
            var start = negative ? 1 : 0;
            while (start + digits < expiration.Length && char.IsAsciiDigit(expiration[start + digits])) digits++;
            string? problem = null;
            if (digits == 0) problem = "no_integer";
            else if (start + digits < expiration.Length) problem = $"{{leftover_string,\"{expiration[(start + digits)..]}\"}}";
            else if (negative) problem = $"{{value_negative,{expiration}}}";
            if (problem is not null)
            {
                throw AmqpException.Channel(ReplyCode.PreconditionFailed, $"invalid expiration '{expiration}': {problem}", BasicPublish.Id);
            }
        }
        if (properties.Headers is not { } headers) return;
        foreach (var name in (ReadOnlySpan<string>)["CC", "BCC"])
        {
            if (headers.TryGetValue(name, out var value) && (value is byte[] or string || value is not System.Collections.IList))
            {
                throw AmqpException.Channel(ReplyCode.PreconditionFailed,
                    $"invalid message: {{unacceptable_type_in_header,\"{name}\",{Broker.Messages.FieldValues.TypeName(value)}}}", BasicPublish.Id);
            }
        }
    }

    /// <summary>Handles a content body frame.</summary>
    public void HandleContentBody(in ReadOnlySequence<byte> payload)
    {
        if (_body is null)
        {
            throw AmqpException.Connection(ReplyCode.UnexpectedFrame,
                _awaitingHeader ? "expected content header for class 60, got non content header frame instead"
                                : "expected method frame, got non method frame instead", 0);
        }
        if (payload.Length > _bodySize - _bodyReceived)
        {
            throw AmqpException.Connection(ReplyCode.FrameError, "content body larger than the body size of its content header", BasicPublish.Id);
        }
        var needed = _bodyReceived + (int)payload.Length;
        if (needed > _body.Length)
        {
            // Doubling, capped at the announced size: the last growth lands on it exactly, so the
            // finished buffer is the message's body with no final copy.
            Array.Resize(ref _body, (int)Math.Min(_bodySize, Math.Max(needed, 2L * _body.Length)));
        }
        payload.CopyTo(_body.AsSpan(_bodyReceived));
        _bodyReceived = needed;
        Volatile.Write(ref _contentProgressTicks, Environment.TickCount64);
        if (_bodyReceived == _bodySize) CompletePublish();
    }

    private void AbandonContent()
    {
        _awaitingHeader = false;
        _body = null;
        _properties = null;
        Volatile.Write(ref _contentProgressTicks, 0);
    }

    private void CompletePublish()
    {
        var publish = _publish;
        var message = new Message(publish.Exchange, publish.RoutingKey, _properties!, _body!);
        AbandonContent();
        if (_txMode)
        {
            (_txPublishes ??= new()).Add((publish, message));
            return;
        }
        Stats.Publish++;
        var result = Route(publish, message);
        if (!_confirmMode) return;
        var sequence = ++_publishSequence;
        lock (_confirmLock)
        {
            // Behind a publish still waiting for the disk, even a transient one waits: confirms go in order.
            if (_awaitingDisk.Count > 0 || result.DurabilityTicket > DurableTicket) _awaitingDisk.Enqueue((sequence, result.DurabilityTicket, result.Rejected));
            else AddReadyConfirm(sequence, result.Rejected);
        }
        _connection.ScheduleConfirms(this);
    }

    private void AddReadyConfirm(ulong sequence, bool nack)
    {
        if (_readyConfirms.Count > 0 && _readyConfirms[^1].Nack == nack) _readyConfirms[^1] = (sequence, nack);
        else _readyConfirms.Add((sequence, nack));
    }

    private long DurableTicket => _connection.Storage?.DurableTicket ?? long.MaxValue;

    // Routes one publish.
    private PublishResult Route(in BasicPublish publish, Message message)
    {
        PublishResult result;
        try
        {
            result = VirtualHost.Publish(publish.Exchange, message);
        }
        catch (BrokerException e)
        {
            // The exchange went away between basic.publish and the end of its content.
            throw AmqpException.For((ushort)e.Error, e.Message, BasicPublish.Id);
        }
        if (result.QueueCount == 0 && !result.Rejected)
        {
            if (publish.Mandatory)
            {
                Stats.ReturnUnroutable++;
                SendReturn(ReplyCode.NoRoute, "NO_ROUTE", message);
            }
            else
            {
                Stats.DropUnroutable++;
            }
        }
        if (result.CongestedQueue is { } congested) _connection.ThrottleFor(congested);
        return result;
    }

    private void SendReturn(ushort replyCode, string replyText, Message message)
    {
        var output = _connection.Output;
        lock (output.Sync)
        {
            WriteMessage(new BasicReturn(replyCode, replyText, message.Exchange, message.RoutingKey), message);
        }
        output.Signal();
    }

    /// <summary>Writes a method with content, all or nothing; the caller holds the output lock.</summary>
    private void WriteMessage<T>(in T method, Message message) where T : IAmqpMethod =>
        FrameWriter.WriteMessage(_connection.Output.Buffer, Number, in method, message.Properties, message.Body, _connection.FrameMax);

    private void OnConfirmSelect(ConfirmSelect select)
    {
        if (_txMode) throw AmqpException.Channel(ReplyCode.PreconditionFailed, "cannot switch from tx to confirm mode", ConfirmSelect.Id);
        if (!_confirmMode)
        {
            _confirmMode = true;
            _connection.Storage?.AddListener(this);
        }
        if (!select.NoWait) Send(new ConfirmSelectOk());
    }

    /// <summary>Storage progress (on the flusher thread): confirms what reached the disk, and a waiting commit.</summary>
    void IDurabilityListener.OnDurable(long durableTicket)
    {
        lock (_confirmLock)
        {
            while (_awaitingDisk.TryPeek(out var head) && head.Ticket <= durableTicket)
            {
                AddReadyConfirm(head.Sequence, head.Nack);
                _awaitingDisk.Dequeue();
            }
            SendConfirmsLocked();
        }
        OnDurableForTransaction(durableTicket);
    }

    /// <summary>Acknowledges, in one basic.ack with multiple set, every publish confirmed since the last call. Called once per read batch.</summary>
    public void FlushConfirms()
    {
        lock (_confirmLock) SendConfirmsLocked();
    }

    // One basic.ack or basic.nack per run, multiple set when it covers more than one publish.
    private void SendConfirmsLocked()
    {
        if (_readyConfirms.Count == 0 || IsClosing) return;
        foreach (var (upTo, nack) in _readyConfirms)
        {
            var multiple = upTo > _confirmedUpTo + 1;
            Stats.Confirm += (long)(upTo - _confirmedUpTo);
            _confirmedUpTo = upTo;
            if (nack) Send(new BasicNack(upTo, multiple, Requeue: false));
            else Send(new BasicAck(upTo, multiple));
        }
        _readyConfirms.Clear();
    }
}
