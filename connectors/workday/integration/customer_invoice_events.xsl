<?xml version="1.0" encoding="UTF-8"?>
<!--
  Invoice Relay: Workday custom report (RaaS XML) -> wd:Customer_Invoice_Events.
  Input: the report CR_Invoice_Relay_Customer_Invoices (fields named as below).
  Output: the message the relay's Workday connector reads (urn:com.workday/bsvc).
  Parameter event_wid: the WID of the business process event that launched the
  integration (the relay's dedup key); pass it from the launch parameters.
-->
<xsl:stylesheet version="2.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:rpt="urn:com.workday.report/CR_Invoice_Relay_Customer_Invoices"
    xmlns:wd="urn:com.workday/bsvc"
    exclude-result-prefixes="rpt">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
  <xsl:param name="event_wid" select="''"/>
  <xsl:param name="sent_on" select="''"/>

  <xsl:template match="/rpt:Report_Data">
    <wd:Customer_Invoice_Events wd:version="v45.2">
      <xsl:if test="$event_wid != ''">
        <wd:Event_Reference wd:Descriptor="Customer Invoice Event">
          <wd:ID wd:type="WID"><xsl:value-of select="$event_wid"/></wd:ID>
        </wd:Event_Reference>
      </xsl:if>
      <xsl:if test="$sent_on != ''">
        <wd:Sent_On><xsl:value-of select="$sent_on"/></wd:Sent_On>
      </xsl:if>
      <xsl:apply-templates select="rpt:Report_Entry"/>
    </wd:Customer_Invoice_Events>
  </xsl:template>

  <xsl:template match="rpt:Report_Entry">
    <wd:Customer_Invoice>
      <wd:Customer_Invoice_Reference wd:Descriptor="{rpt:Customer_Invoice/@rpt:Descriptor}">
        <xsl:for-each select="rpt:Customer_Invoice/rpt:ID">
          <wd:ID wd:type="{@rpt:type}"><xsl:value-of select="."/></wd:ID>
        </xsl:for-each>
      </wd:Customer_Invoice_Reference>
      <wd:Customer_Invoice_Data>
        <wd:Invoice_Number><xsl:value-of select="rpt:Invoice_Number"/></wd:Invoice_Number>
        <wd:Customer_Reference wd:Descriptor="{rpt:Customer/@rpt:Descriptor}">
          <xsl:for-each select="rpt:Customer/rpt:ID">
            <wd:ID wd:type="{@rpt:type}"><xsl:value-of select="."/></wd:ID>
          </xsl:for-each>
        </wd:Customer_Reference>
        <wd:Currency_Reference>
          <xsl:for-each select="rpt:Currency/rpt:ID">
            <wd:ID wd:type="{@rpt:type}"><xsl:value-of select="."/></wd:ID>
          </xsl:for-each>
        </wd:Currency_Reference>
        <xsl:if test="rpt:Due_Date">
          <wd:Due_Date><xsl:value-of select="rpt:Due_Date"/></wd:Due_Date>
        </xsl:if>
        <wd:Total_Invoice_Amount><xsl:value-of select="rpt:Total_Invoice_Amount"/></wd:Total_Invoice_Amount>
        <xsl:if test="rpt:Amount_Due">
          <wd:Amount_Due><xsl:value-of select="rpt:Amount_Due"/></wd:Amount_Due>
        </xsl:if>
        <xsl:if test="rpt:Amount_Paid">
          <wd:Amount_Paid><xsl:value-of select="rpt:Amount_Paid"/></wd:Amount_Paid>
        </xsl:if>
        <xsl:if test="rpt:Invoice_Status">
          <wd:Invoice_Status><xsl:value-of select="rpt:Invoice_Status"/></wd:Invoice_Status>
        </xsl:if>
        <xsl:if test="rpt:Payment_Status">
          <wd:Payment_Status><xsl:value-of select="rpt:Payment_Status"/></wd:Payment_Status>
        </xsl:if>
        <wd:Canceled><xsl:value-of select="if (rpt:Canceled = ('1', 'true')) then '1' else '0'"/></wd:Canceled>
        <xsl:if test="rpt:Dispute_Date">
          <wd:Dispute_Date><xsl:value-of select="rpt:Dispute_Date"/></wd:Dispute_Date>
        </xsl:if>
        <xsl:if test="rpt:Dispute_Amount">
          <wd:Dispute_Amount><xsl:value-of select="rpt:Dispute_Amount"/></wd:Dispute_Amount>
        </xsl:if>
        <xsl:if test="rpt:Dispute_Reason">
          <wd:Dispute_Reason_Reference wd:Descriptor="{rpt:Dispute_Reason/@rpt:Descriptor}"/>
        </xsl:if>
        <xsl:if test="rpt:Last_Updated">
          <wd:Last_Updated><xsl:value-of select="rpt:Last_Updated"/></wd:Last_Updated>
        </xsl:if>
      </wd:Customer_Invoice_Data>
    </wd:Customer_Invoice>
  </xsl:template>
</xsl:stylesheet>
