package io.ferry.systemmanager.internal.agent;

import io.ferry.orchestrator.AgentChannel;
import io.ferry.systemmanager.internal.audit.AuditFilter;
import java.util.List;
import java.util.UUID;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * The guest agent of one job, authenticated by its job token. Its only authority is {@code
 * ROLE_AGENT}, which nothing but the agent endpoints accept; it names no user.
 */
public class AgentAuthentication extends AbstractAuthenticationToken implements AuditFilter.AuditedCaller {

  /** The authority of a job token. */
  public static final String ROLE = "ROLE_AGENT";

  private final AgentChannel.Caller caller;

  public AgentAuthentication(AgentChannel.Caller caller) {
    super(List.of(new SimpleGrantedAuthority(ROLE)));
    this.caller = caller;
    setAuthenticated(true);
  }

  /** The job the token belongs to. */
  public String jobId() {
    return caller.jobId();
  }

  @Override
  public Object getCredentials() {
    return "";
  }

  @Override
  public AgentChannel.Caller getPrincipal() {
    return caller;
  }

  @Override
  public String getName() {
    return auditActor();
  }

  @Override
  public UUID auditTenantId() {
    try {
      return UUID.fromString(caller.tenantId());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public String auditActor() {
    return "agent:" + caller.jobId();
  }
}
