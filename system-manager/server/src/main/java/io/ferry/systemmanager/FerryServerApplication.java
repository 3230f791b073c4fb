package io.ferry.systemmanager;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The Ferry control plane. */
@SpringBootApplication
public class FerryServerApplication {

  public static void main(String[] args) {
    SpringApplication.run(FerryServerApplication.class, args);
  }
}
