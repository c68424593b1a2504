using System.Buffers;
using System.Text;
using Dcsd.Redis.Protocol;

namespace Dcsd.Redis.Restore;

/// <summary>
/// Pipelined commands to one target connection: commands accumulate in a buffer written every <c>flushBytes</c>, a
/// reply thread matches replies to commands in order, and the writer waits while more than <c>maxBytesInFlight</c>
/// bytes are sent but unanswered, so neither side's memory grows with the file. The first error reply stops the restore
/// with a <see cref="RedisFailureException"/> naming the command, the key and the reply.
/// </summary>
/// <remarks>
/// Both sides block on the socket from threads of their own (the caller's writer thread and a reply thread) rather than
/// await it: a restore is one long bulk transfer to a target that is usually slower than dcsd, so the socket is full or
/// empty most of the time, and every asynchronous completion would be a thread-pool dispatch with spinning workers,
/// CPU taken from a target that may share the machine (see <see cref="BlockingSockets"/>). A blocked call costs one
/// wake-up. The idle timeout is the socket's; a silent target ends the reply thread, and the writer with it.
/// </remarks>
internal sealed class TargetPipeline : IRestoreCommandSink, IDisposable
{
    private readonly RedisNodeClient _connection;
    private readonly RespWriter _buffer = new();

    // Commands go to the reply thread one flush at a time, under the queue's lock; it waits on the queue for more.
    private readonly Queue<SentBatch> _sent = new();
    private SentBatch _unsent = new(64);
    private readonly ManualResetEventSlim _windowOpen = new(false);
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationTokenRegistration _abortOnCancel;
    private readonly Thread _replyThread;
    private readonly int _flushBytes;
    private readonly long _maxBytesInFlight;
    private int _commandStart;
    private long _inFlight;
    private long _wakeAtOrBelow = -1;
    private bool _stopping;
    private volatile RedisFailureException? _fault;

    public TargetPipeline(RedisNodeClient connection, long maxBytesInFlight, int flushBytes, CancellationToken cancellationToken)
    {
        _connection = connection;
        _maxBytesInFlight = maxBytesInFlight;
        _flushBytes = flushBytes;
        _cancellationToken = cancellationToken;

        // A writer waiting for a target that stopped reading would otherwise notice the cancellation only at the idle timeout.
        _abortOnCancel = cancellationToken.Register(connection.Abort);
        _replyThread = new Thread(ReadReplies) { IsBackground = true, Name = "dcsd restore replies" };
        _replyThread.Start();
    }

    public RespWriter Begin(byte[]? routingKey)
    {
        _commandStart = _buffer.Length;
        return _buffer;
    }

    /// <summary>A cluster node takes a multi-key command only for keys of one slot, even when it owns them all.</summary>
    public bool ClusterEnabled { get; init; }

    public int GroupOf(byte[] key) => ClusterEnabled ? Cluster.ClusterSlot.Of(key) : 0;

    // Runs once per command: compile optimized at once rather than through the tiers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Commit(RestoreCommandInfo command)
    {
        ThrowIfFaulted();
        _unsent.Add(command, _buffer.Length - _commandStart);
        if (_buffer.Length >= _flushBytes)
        {
            Send();

            // Once the window is full, wait until half of it is answered: waking on every reply would ping-pong the
            // writer and the reply thread per command.
            if (Volatile.Read(ref _inFlight) > _maxBytesInFlight)
            {
                WaitForReplies(_maxBytesInFlight / 2);
            }
        }
    }

    public void Complete()
    {
        Send();
        WaitForReplies(0);
    }

    /// <summary>Writes the buffered commands to the target, without waiting for replies.</summary>
    public void Send()
    {
        if (_buffer.Length > 0)
        {
            // The reply thread must know what the replies belong to before they can arrive.
            Interlocked.Add(ref _inFlight, _buffer.Length);
            lock (_sent)
            {
                _sent.Enqueue(_unsent);
                Monitor.Pulse(_sent);
            }

            _unsent = new SentBatch(_unsent.Count);
            try
            {
                _connection.Send(_buffer.Written.Span);
            }
            catch (RedisFailureException) when (_fault is not null || _cancellationToken.IsCancellationRequested)
            {
                // The target closed the link after an error reply: report that reply, not the broken pipe; or the
                // connection was shut down because the restore was cancelled.
                _cancellationToken.ThrowIfCancellationRequested();
                ThrowIfFaulted();
            }

            _buffer.Clear();
        }
    }

    private void WaitForReplies(long wakeAtOrBelow)
    {
        while (Volatile.Read(ref _inFlight) > wakeAtOrBelow)
        {
            ThrowIfFaulted();
            _windowOpen.Reset();
            Volatile.Write(ref _wakeAtOrBelow, wakeAtOrBelow);
            if (Volatile.Read(ref _inFlight) <= wakeAtOrBelow || _fault is not null)
            {
                break;
            }

            // The reply thread sets it as replies come in, and when it stops (a fault, a silent target).
            _windowOpen.Wait(_cancellationToken);
        }

        Volatile.Write(ref _wakeAtOrBelow, -1);
        ThrowIfFaulted();
    }

    /// <summary>The reply thread: takes the commands of each flush in order and matches their replies.</summary>
    // Loops over every reply of the restore: compile optimized at once rather than through the tiers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void ReadReplies()
    {
        try
        {
            while (NextBatch() is { } batch)
            {
                using SentBatch done = batch;
                long answered = 0;
                foreach (PendingCommand pending in batch.Commands)
                {
                    RespReply reply;
                    while (!_connection.Replies.TryRead(out reply))
                    {
                        // Out of buffered replies: release what was answered before blocking for more.
                        Answered(answered);
                        answered = 0;
                        _connection.Replies.Fill();
                    }

                    if (reply.IsError)
                    {
                        Fail(Rejection(batch, pending, reply.Text));
                        return;
                    }

                    answered += pending.Bytes;
                }

                Answered(answered);
            }
        }
        catch (Exception ex)
        {
            // Whatever ends this thread must reach the writer, which may be waiting for replies; an exception left
            // to escape a thread of its own would end the process.
            if (!Volatile.Read(ref _stopping))
            {
                Fail(ex as RedisFailureException ?? new RedisFailureException(RedisFailureKind.ConnectionLost, $"reading replies from {_connection.EndPoint} failed: {ex.Message}", ex));
            }
        }
    }

    private SentBatch? NextBatch()
    {
        lock (_sent)
        {
            while (_sent.Count == 0)
            {
                if (_stopping)
                {
                    return null;
                }

                Monitor.Wait(_sent);
            }

            return _sent.Dequeue();
        }
    }

    private void Answered(long bytes)
    {
        if (bytes == 0)
        {
            return;
        }

        long inFlight = Interlocked.Add(ref _inFlight, -bytes);
        if (inFlight <= Volatile.Read(ref _wakeAtOrBelow))
        {
            _windowOpen.Set();
        }
    }

    private void Fail(RedisFailureException fault)
    {
        _fault = fault;
        _windowOpen.Set();
    }

    private RedisFailureException Rejection(SentBatch batch, PendingCommand command, string? reply)
    {
        string what = command.KeyAt < 0 ? command.Verb : $"{command.Verb} of key {Describe(batch.KeyOf(command))} (db {command.Db})";
        return RedisErrors.Rejected(_connection.EndPoint, what, reply);
    }

    private void ThrowIfFaulted()
    {
        if (_fault is { } fault)
        {
            // A cancelled restore shuts the connection down, which the reply thread reports as a lost connection.
            _cancellationToken.ThrowIfCancellationRequested();
            throw new RedisFailureException(fault.Kind, fault.Message, fault);
        }
    }

    /// <summary>A key as text for messages: printable ASCII kept, other bytes as \xNN, cut at 120 characters.</summary>
    internal static string Describe(ReadOnlySpan<byte> key)
    {
        var text = new StringBuilder("'");
        foreach (byte b in key[..Math.Min(key.Length, DescribedKeyBytes)])
        {
            if (b is >= 0x20 and < 0x7f && b != (byte)'\\' && b != (byte)'\'')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{b:x2}");
            }
        }

        return text.Append(key.Length > DescribedKeyBytes ? "'…" : "'").ToString();
    }

    private const int DescribedKeyBytes = 120;

    /// <summary>What the reply thread needs to name a command in an error; its key is in the batch's key bytes (at -1: none).</summary>
    private readonly record struct PendingCommand(string Verb, int Db, int Bytes, int KeyAt, int KeyLength);

    /// <summary>
    /// The commands of one flush. Their keys are copied, as far as an error message shows them, into one pooled array:
    /// a reference to each key would keep every key of the in-flight window alive through each garbage collection,
    /// which then costs time in proportion to them.
    /// </summary>
    private sealed class SentBatch : IDisposable
    {
        private byte[] _keys = ArrayPool<byte>.Shared.Rent(4096);
        private int _keysLength;

        public SentBatch(int capacity) => Commands = new List<PendingCommand>(capacity);

        public List<PendingCommand> Commands { get; }

        public int Count => Commands.Count;

        // Once per command: compile optimized at once rather than through the tiers.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public void Add(RestoreCommandInfo command, int bytes)
        {
            if (command.Key is not { } key)
            {
                Commands.Add(new PendingCommand(command.Verb, command.Db, bytes, -1, 0));
                return;
            }

            // One byte more than is shown tells Describe the key goes on.
            int length = Math.Min(key.Length, DescribedKeyBytes + 1);
            if (_keysLength + length > _keys.Length)
            {
                byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_keys.Length * 2, _keysLength + length));
                _keys.AsSpan(0, _keysLength).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_keys);
                _keys = bigger;
            }

            key.AsSpan(0, length).CopyTo(_keys.AsSpan(_keysLength));
            Commands.Add(new PendingCommand(command.Verb, command.Db, bytes, _keysLength, length));
            _keysLength += length;
        }

        public ReadOnlySpan<byte> KeyOf(PendingCommand command) => _keys.AsSpan(command.KeyAt, command.KeyLength);

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_keys);
            _keys = [];
        }
    }

    public void Dispose()
    {
        lock (_sent)
        {
            _stopping = true;
            Monitor.Pulse(_sent);
        }

        if (Volatile.Read(ref _inFlight) > 0 && _fault is null)
        {
            // The restore failed with replies outstanding: the connection is not used again, and shutting it down
            // spares the reply thread from waiting for them.
            _connection.Abort();
        }

        _replyThread.Join();
        foreach (SentBatch unanswered in _sent)
        {
            unanswered.Dispose();
        }

        _unsent.Dispose();
        _abortOnCancel.Dispose();
        _buffer.Dispose();
        _windowOpen.Dispose();
    }
}
