package io.ferry.systemmanager.internal.security;

import java.util.ArrayList;
import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * An authenticated {@link FerryPrincipal}. Authorities: {@code ROLE_ADMIN}, {@code ROLE_OPERATOR}
 * or {@code ROLE_VIEWER}, each implying the lower ones, and {@code PLATFORM_ADMIN}.
 */
public class FerryAuthentication extends AbstractAuthenticationToken {

  public static final String PLATFORM_ADMIN = "PLATFORM_ADMIN";

  private final FerryPrincipal principal;

  public FerryAuthentication(FerryPrincipal principal) {
    super(authorities(principal));
    this.principal = principal;
    setAuthenticated(true);
  }

  private static List<GrantedAuthority> authorities(FerryPrincipal principal) {
    List<GrantedAuthority> authorities = new ArrayList<>();
    switch (principal.role()) {
      case ADMIN -> {
        authorities.add(new SimpleGrantedAuthority("ROLE_ADMIN"));
        authorities.add(new SimpleGrantedAuthority("ROLE_OPERATOR"));
        authorities.add(new SimpleGrantedAuthority("ROLE_VIEWER"));
      }
      case OPERATOR -> {
        authorities.add(new SimpleGrantedAuthority("ROLE_OPERATOR"));
        authorities.add(new SimpleGrantedAuthority("ROLE_VIEWER"));
      }
      case VIEWER -> authorities.add(new SimpleGrantedAuthority("ROLE_VIEWER"));
    }
    if (principal.platformAdmin()) {
      authorities.add(new SimpleGrantedAuthority(PLATFORM_ADMIN));
    }
    return authorities;
  }

  @Override
  public Object getCredentials() {
    return "";
  }

  @Override
  public FerryPrincipal getPrincipal() {
    return principal;
  }

  @Override
  public String getName() {
    return principal.username();
  }
}
