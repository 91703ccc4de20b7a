package io.shmlink.bench.pingpong;

import io.aeron.driver.MediaDriver;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.util.List;

/**
 * A transport whose two JVMs talk UDP on 127.0.0.1, each through an embedded media driver of its own
 * ({@link AeronUdp}): the ports are chosen and the pinging JVM's driver started at {@link #create}, before the echo
 * child starts; the driver is stopped, and its directory deleted, at {@link #close}. The echo JVM starts its own
 * driver in {@link #openEcho}.
 */
abstract class UdpDriverTransport extends NamedTransport
{
    private MediaDriver driver;

    /**
     * @param name            the transport's name.
     * @param throughputModes its throughput modes.
     */
    UdpDriverTransport(final String name, final ThroughputModes throughputModes)
    {
        super(name, throughputModes);
    }

    @Override
    public List<String> childJvmFlags()
    {
        return AeronUdp.childJvmFlags();
    }

    /**
     * Picks the ports and starts the pinging JVM's driver, before the child starts.
     */
    @Override
    public void create(final LinkSpec link) throws IOException
    {
        AeronUdp.choosePorts(link);
        driver = AeronUdp.launch(link, AeronUdp.PINGER_DRIVER);
    }

    /**
     * Stops the pinging JVM's driver, which deletes its directory.
     */
    @Override
    public void close()
    {
        CloseHelper.close(driver);
        driver = null;
    }
}
