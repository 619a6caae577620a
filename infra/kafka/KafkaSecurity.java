// The admin step of a secured duban Kafka cluster (ADR 0015): SCRAM users, the domain topics and
// the ACLs of each host principal, through Kafka's own Admin client. Run by `kafka.sh admin` as a
// single-file Java program (`java -cp '<broker jars>/*' KafkaSecurity.java ...`): no build, and
// no kafka-tools jar on the broker classpath. Every operation is idempotent.
//
//   KafkaSecurity <bootstrap> OP...
//     user NAME:PASSWORD          create or replace NAME's SCRAM-SHA-512 credential
//     topics PREFIX               create the domain and analytics topics PREFIX<topic> that are
//                                 missing
//     node PRINCIPAL PREFIX       PRINCIPAL may write, describe and read PREFIX<topic> for every
//                                 domain and analytics topic, and read with groups
//                                 PREFIX<PRINCIPAL>. only
//     analyst PRINCIPAL PREFIX    PRINCIPAL may describe and read PREFIX<topic> for the analytics
//                                 topics only (redacted: ADR 0031), with groups PREFIX<PRINCIPAL>.
//                                 only; never a domain topic, which carries people's names
//   ("-" stands for an empty PREFIX.)
//
// Environment: KAFKA_DOMAIN_TOPICS, KAFKA_ANALYTICS_TOPICS (comma-separated), KAFKA_PARTITIONS,
// KAFKA_REPLICATION_FACTOR;
// KAFKA_ADMIN_USERNAME + KAFKA_ADMIN_PASSWORD to authenticate with SCRAM-SHA-512 (SASL_PLAINTEXT,
// or SASL_SSL with KAFKA_ADMIN_SSL=1, trusting KAFKA_ADMIN_CA_FILE (PEM) or the JVM's CAs); without
// them: no authentication
// (the broker's loopback admin listener).
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

public class KafkaSecurity {
  // Must match packages/events/src/envelope.ts TOPICS (a test compares them).
  static final String DEFAULT_TOPICS =
      "duban.tasks,duban.reminders,duban.scoring,duban.notifications,duban.security,duban.org,duban.dead-letters";
  // Must match packages/events/src/envelope.ts ANALYTICS_TOPICS (a test compares them).
  static final String DEFAULT_ANALYTICS_TOPICS =
      "duban.analytics.tasks,duban.analytics.reminders,duban.analytics.scoring,duban.analytics.notifications,duban.analytics.security,duban.analytics.org";
  static final int SCRAM_ITERATIONS = 8192;

  public static void main(String[] args) throws Exception {
    if (args.length < 1) usage("missing bootstrap address");
    List<String> domainTopics = Arrays.asList(env("KAFKA_DOMAIN_TOPICS", DEFAULT_TOPICS).split(","));
    List<String> analyticsTopics =
        Arrays.asList(env("KAFKA_ANALYTICS_TOPICS", DEFAULT_ANALYTICS_TOPICS).split(","));
    List<String> topics = new ArrayList<>(domainTopics);
    topics.addAll(analyticsTopics);
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "duban-kafka-security");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
    String adminUser = System.getenv("KAFKA_ADMIN_USERNAME");
    String adminPassword = System.getenv("KAFKA_ADMIN_PASSWORD");
    if (adminUser != null && !adminUser.isEmpty()) {
      if (adminPassword == null || adminPassword.isEmpty())
        usage("KAFKA_ADMIN_USERNAME is set but KAFKA_ADMIN_PASSWORD is not");
      props.put("security.protocol", "1".equals(System.getenv("KAFKA_ADMIN_SSL")) ? "SASL_SSL" : "SASL_PLAINTEXT");
      props.put("sasl.mechanism", "SCRAM-SHA-512");
      String ca = System.getenv("KAFKA_ADMIN_CA_FILE");
      if (ca != null && !ca.isEmpty()) {
        props.put("ssl.truststore.type", "PEM");
        props.put("ssl.truststore.location", ca);
      }
      props.put(
          "sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
              + jaasEscape(adminUser) + "\" password=\"" + jaasEscape(adminPassword) + "\";");
    }

    List<UserScramCredentialAlteration> users = new ArrayList<>();
    List<String> topicPrefixes = new ArrayList<>();
    List<AclBinding> acls = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "user" -> {
          String spec = arg(args, ++i, "user NAME:PASSWORD");
          int colon = spec.indexOf(':');
          if (colon <= 0 || colon == spec.length() - 1) usage("user wants NAME:PASSWORD, got " + spec.replaceAll(":.*", ":***"));
          users.add(new UserScramCredentialUpsertion(
              spec.substring(0, colon),
              new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS),
              spec.substring(colon + 1)));
        }
        case "topics" -> topicPrefixes.add(prefix(arg(args, ++i, "topics PREFIX")));
        case "node", "analyst" -> {
          boolean writer = args[i].equals("node");
          String principal = arg(args, ++i, args[i - 1] + " PRINCIPAL PREFIX");
          // A "." would let this principal's group prefix cover another's ("a." covers "a.b.").
          if (!principal.matches("[A-Za-z0-9_-]+")) usage("principal names use letters, digits, _ and - only: " + principal);
          String prefix = prefix(arg(args, ++i, "PREFIX"));
          // The county's projector writes the analytics topics; an analyst reads only them.
          acls.addAll(grants(principal, prefix, writer ? topics : analyticsTopics, writer));
        }
        default -> usage("unknown operation " + args[i]);
      }
    }

    try (Admin admin = Admin.create(props)) {
      if (!users.isEmpty()) {
        admin.alterUserScramCredentials(users).all().get();
        awaitUsers(admin, users);
        System.err.println("KafkaSecurity: SCRAM-SHA-512 credentials set for " + users.size() + " user(s)");
      }
      for (String prefix : topicPrefixes) createTopics(admin, prefix, topics);
      if (!acls.isEmpty()) {
        admin.createAcls(acls).all().get();
        awaitAcls(admin, acls);
        System.err.println("KafkaSecurity: " + acls.size() + " ACL(s) in place");
      }
    }
  }

  /**
   * A node may write every domain topic of its deployment (tasks go county → township, replies
   * back, dead letters from anyone), read them, and commit offsets only for groups named after
   * itself. Nothing on the cluster: the idempotent producer needs only WRITE on some topic
   * (KIP-679), and topics are created here, not by the node.
   */
  static List<AclBinding> grants(String principal, String prefix, List<String> topics, boolean writer) {
    String user = "User:" + principal;
    List<AclOperation> ops = writer
        ? List.of(AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE)
        : List.of(AclOperation.READ, AclOperation.DESCRIBE);
    List<AclBinding> out = new ArrayList<>();
    for (String topic : topics) {
      for (AclOperation op : ops) {
        out.add(new AclBinding(
            new ResourcePattern(ResourceType.TOPIC, prefix + topic, PatternType.LITERAL),
            new AccessControlEntry(user, "*", op, AclPermissionType.ALLOW)));
      }
    }
    // The "." ends the principal: groups of "unit-001" never match those of "unit-0012".
    out.add(new AclBinding(
        new ResourcePattern(ResourceType.GROUP, prefix + principal + ".", PatternType.PREFIXED),
        new AccessControlEntry(user, "*", AclOperation.READ, AclPermissionType.ALLOW)));
    return out;
  }

  /**
   * createAcls returns once the controller has committed them; a broker's authorizer applies them
   * a moment later (seconds on a busy machine). DescribeAcls is answered by the broker's
   * authorizer, so once it lists them all, a client that connects next is judged by them.
   */
  static void awaitAcls(Admin admin, List<AclBinding> acls) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    for (AclBinding acl : acls) {
      while (admin.describeAcls(acl.toFilter()).values().get().isEmpty()) {
        if (System.currentTimeMillis() > deadline) throw new IllegalStateException("ACL not applied after 60 s: " + acl);
        Thread.sleep(100);
      }
    }
  }

  /** Like the ACLs: the broker answers DescribeUserScramCredentials from its own metadata. */
  static void awaitUsers(Admin admin, List<UserScramCredentialAlteration> users) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    List<String> names = new ArrayList<>();
    for (UserScramCredentialAlteration u : users) names.add(u.user());
    for (;;) {
      try {
        admin.describeUserScramCredentials(names).all().get();
        return;
      } catch (ExecutionException e) {
        // ResourceNotFoundException: some user is not there yet.
        if (System.currentTimeMillis() > deadline) throw e;
        Thread.sleep(100);
      }
    }
  }

  static void createTopics(Admin admin, String prefix, List<String> topics) throws Exception {
    int partitions = Integer.parseInt(env("KAFKA_PARTITIONS", "6"));
    short replication = Short.parseShort(env("KAFKA_REPLICATION_FACTOR", "1"));
    Set<String> existing = new HashSet<>(admin.listTopics().names().get());
    List<NewTopic> missing = new ArrayList<>();
    for (String topic : topics) {
      if (!existing.contains(prefix + topic)) missing.add(new NewTopic(prefix + topic, partitions, replication));
    }
    if (missing.isEmpty()) return;
    try {
      admin.createTopics(missing).all().get();
    } catch (ExecutionException e) {
      // Another admin run created it in between: that is what we wanted.
      if (!(e.getCause() instanceof TopicExistsException)) throw e;
    }
    // Same for topics: the broker's metadata lists them a moment after the controller made them.
    long deadline = System.currentTimeMillis() + 60_000;
    Set<String> names = new HashSet<>();
    for (NewTopic t : missing) names.add(t.name());
    while (!admin.listTopics().names().get().containsAll(names)) {
      if (System.currentTimeMillis() > deadline) throw new IllegalStateException("topics not visible after 60 s: " + names);
      Thread.sleep(100);
    }
    System.err.println("KafkaSecurity: created " + missing.size() + " topic(s) with prefix '" + prefix + "'");
  }

  static String prefix(String p) {
    return p.equals("-") ? "" : p;
  }

  static String arg(String[] args, int i, String what) {
    if (i >= args.length) usage("missing argument: " + what);
    return args[i];
  }

  static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isEmpty() ? fallback : v;
  }

  static String jaasEscape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  static void usage(String problem) {
    System.err.println("KafkaSecurity: " + problem);
    System.err.println("usage: KafkaSecurity <bootstrap> [user NAME:PASSWORD | topics PREFIX | node PRINCIPAL PREFIX | analyst PRINCIPAL PREFIX]...");
    System.exit(2);
  }
}
