# JVM options for the gateway's Tomcat: copy to $CATALINA_BASE/bin/setenv.sh (catalina.sh reads it at start).
# A fixed heap and the parallel collector: the gateway allocates short-lived objects per request and keeps little
# (sessions live in Redis), so throughput collection with a few short pauses beats G1's concurrent work on few cores
# (README "Container settings" has the measurements). The demo and the throughput benchmark start Tomcat with exactly
# these options. Settings and secrets do not belong here: use GATEWAY_... environment variables.
CATALINA_OPTS="$CATALINA_OPTS -Xms512m -Xmx512m -XX:+UseParallelGC"
