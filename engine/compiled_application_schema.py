# Generated from schemas/application.schema.json by fastjsonschema 2.22.3: do not edit.
# After changing the schema, regenerate it with `make compiled-schema` (a test says when).
# mypy: ignore-errors
SCHEMA_DIGEST = '23b72d7f14916a137d9b8cd146361950ca210613215a16e90b0f602096ede2d5'

VERSION = "2.22.3"
from decimal import Decimal
import re
from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException


REGEX_PATTERNS = {
    '^[a-z][a-z0-9_]*$': re.compile('^[a-z][a-z0-9_]*\\Z'),
    '^(?:[0-9A-Fa-f]{32}|[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){15})$': re.compile('^(?:[0-9A-Fa-f]{32}|[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){15})\\Z')
}

NoneType = type(None)

def validate_https___icp_rulepacks_github_io_schemas_v1_application_schema_json(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object")
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['filing_province', 'subject', 'principal']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain ")
        data_keys = set(data.keys())
        if "application_id" in data_keys:
            data_keys.remove("application_id")
            data__applicationid = data["application_id"]
            if not isinstance(data__applicationid, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".application_id must be string")
            if isinstance(data__applicationid, str):
                data__applicationid_len = len(data__applicationid)
                if data__applicationid_len > 200:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".application_id must be shorter than or equal to 200 characters")
        if "submitted_on" in data_keys:
            data_keys.remove("submitted_on")
            data__submittedon = data["submitted_on"]
            if not isinstance(data__submittedon, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".submitted_on must be string")
            if isinstance(data__submittedon, str):
                if not custom_formats["date"](data__submittedon):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".submitted_on must be date")
        if "filing_province" in data_keys:
            data_keys.remove("filing_province")
            data__filingprovince = data["filing_province"]
            if not isinstance(data__filingprovince, (str, int)) and not (isinstance(data__filingprovince, float) and data__filingprovince.is_integer()) or isinstance(data__filingprovince, bool):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".filing_province must be string or integer")
        if "filing_type" in data_keys:
            data_keys.remove("filing_type")
            data__filingtype = data["filing_type"]
            if not (isinstance(data__filingtype, str) and data__filingtype == 'first_filing' or isinstance(data__filingtype, str) and data__filingtype == 'new_website' or isinstance(data__filingtype, str) and data__filingtype == 'access' or isinstance(data__filingtype, str) and data__filingtype == 'change'):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".filing_type must be one of ['first_filing', 'new_website', 'access', 'change']")
        else: data["filing_type"] = 'first_filing'
        if "service_type" in data_keys:
            data_keys.remove("service_type")
            data__servicetype = data["service_type"]
            if not (isinstance(data__servicetype, str) and data__servicetype == 'website' or isinstance(data__servicetype, str) and data__servicetype == 'app' or isinstance(data__servicetype, str) and data__servicetype == 'mini_program' or isinstance(data__servicetype, str) and data__servicetype == 'quick_app'):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".service_type must be one of ['website', 'app', 'mini_program', 'quick_app']")
        else: data["service_type"] = 'website'
        if "operating" in data_keys:
            data_keys.remove("operating")
            data__operating = data["operating"]
            if not isinstance(data__operating, (bool)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".operating must be boolean")
        else: data["operating"] = False
        if "server" in data_keys:
            data_keys.remove("server")
            data__server = data["server"]
            if not isinstance(data__server, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".server must be object")
            data__server_is_dict = isinstance(data__server, dict)
            if data__server_is_dict:
                data__server_keys = set(data__server.keys())
                if "location" in data__server_keys:
                    data__server_keys.remove("location")
                    data__server__location = data__server["location"]
                    if not (isinstance(data__server__location, str) and data__server__location == 'mainland' or isinstance(data__server__location, str) and data__server__location == 'hong_kong' or isinstance(data__server__location, str) and data__server__location == 'macau' or isinstance(data__server__location, str) and data__server__location == 'taiwan' or isinstance(data__server__location, str) and data__server__location == 'overseas'):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".server.location must be one of ['mainland', 'hong_kong', 'macau', 'taiwan', 'overseas']")
                else: data__server["location"] = 'mainland'
                if "provider" in data__server_keys:
                    data__server_keys.remove("provider")
                    data__server__provider = data__server["provider"]
                    if not isinstance(data__server__provider, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".server.provider must be string")
                    if isinstance(data__server__provider, str):
                        data__server__provider_len = len(data__server__provider)
                        if data__server__provider_len > 200:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".server.provider must be shorter than or equal to 200 characters")
                if data__server_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".server must not contain "+str(data__server_keys)+" properties")
        if "subject" in data_keys:
            data_keys.remove("subject")
            data__subject = data["subject"]
            if not isinstance(data__subject, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject must be object")
            data__subject_is_dict = isinstance(data__subject, dict)
            if data__subject_is_dict:
                data__subject__missing_keys = set(['type', 'name', 'certificate']) - data__subject.keys()
                if data__subject__missing_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject must contain ")
                data__subject_keys = set(data__subject.keys())
                if "type" in data__subject_keys:
                    data__subject_keys.remove("type")
                    data__subject__type = data__subject["type"]
                    if not (isinstance(data__subject__type, str) and data__subject__type == 'individual' or isinstance(data__subject__type, str) and data__subject__type == 'enterprise' or isinstance(data__subject__type, str) and data__subject__type == 'individual_business' or isinstance(data__subject__type, str) and data__subject__type == 'public_institution' or isinstance(data__subject__type, str) and data__subject__type == 'government' or isinstance(data__subject__type, str) and data__subject__type == 'social_organization' or isinstance(data__subject__type, str) and data__subject__type == 'law_firm' or isinstance(data__subject__type, str) and data__subject__type == 'other_organization'):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject.type must be one of ['individual', 'enterprise', 'individual_business', 'public_institution', 'government', 'social_organization', 'law_firm', 'other_organization']")
                if "name" in data__subject_keys:
                    data__subject_keys.remove("name")
                    data__subject__name = data__subject["name"]
                    if not isinstance(data__subject__name, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject.name must be string")
                    if isinstance(data__subject__name, str):
                        data__subject__name_len = len(data__subject__name)
                        if data__subject__name_len < 1:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject.name must be longer than or equal to 1 characters")
                        if data__subject__name_len > 200:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject.name must be shorter than or equal to 200 characters")
                if "certificate" in data__subject_keys:
                    data__subject_keys.remove("certificate")
                    data__subject__certificate = data__subject["certificate"]
                    validate_https___icp_rulepacks_github_io_schemas_v1_application_schema_json___defs_certificate(data__subject__certificate, custom_formats, (name_prefix or "data") + ".subject.certificate")
                if "residence" in data__subject_keys:
                    data__subject_keys.remove("residence")
                    data__subject__residence = data__subject["residence"]
                    if not isinstance(data__subject__residence, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject.residence must be string")
                    if isinstance(data__subject__residence, str):
                        data__subject__residence_len = len(data__subject__residence)
                        if data__subject__residence_len > 500:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject.residence must be shorter than or equal to 500 characters")
                if "business_scope" in data__subject_keys:
                    data__subject_keys.remove("business_scope")
                    data__subject__businessscope = data__subject["business_scope"]
                    if not isinstance(data__subject__businessscope, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject.business_scope must be string")
                    if isinstance(data__subject__businessscope, str):
                        data__subject__businessscope_len = len(data__subject__businessscope)
                        if data__subject__businessscope_len > 5000:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject.business_scope must be shorter than or equal to 5000 characters")
                if "name_changed" in data__subject_keys:
                    data__subject_keys.remove("name_changed")
                    data__subject__namechanged = data__subject["name_changed"]
                    if not isinstance(data__subject__namechanged, (bool)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject.name_changed must be boolean")
                else: data__subject["name_changed"] = False
                if "existing" in data__subject_keys:
                    data__subject_keys.remove("existing")
                    data__subject__existing = data__subject["existing"]
                    if not isinstance(data__subject__existing, (dict)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject.existing must be object")
                    data__subject__existing_is_dict = isinstance(data__subject__existing, dict)
                    if data__subject__existing_is_dict:
                        data__subject__existing_keys = set(data__subject__existing.keys())
                        if "subject_number" in data__subject__existing_keys:
                            data__subject__existing_keys.remove("subject_number")
                            data__subject__existing__subjectnumber = data__subject__existing["subject_number"]
                            if not isinstance(data__subject__existing__subjectnumber, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject.existing.subject_number must be string")
                            if isinstance(data__subject__existing__subjectnumber, str):
                                data__subject__existing__subjectnumber_len = len(data__subject__existing__subjectnumber)
                                if data__subject__existing__subjectnumber_len > 64:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject.existing.subject_number must be shorter than or equal to 64 characters")
                        if "filed_domains" in data__subject__existing_keys:
                            data__subject__existing_keys.remove("filed_domains")
                            data__subject__existing__fileddomains = data__subject__existing["filed_domains"]
                            if not isinstance(data__subject__existing__fileddomains, (list, tuple)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject.existing.filed_domains must be array")
                            data__subject__existing__fileddomains_is_list = isinstance(data__subject__existing__fileddomains, (list, tuple))
                            if data__subject__existing__fileddomains_is_list:
                                data__subject__existing__fileddomains_len = len(data__subject__existing__fileddomains)
                                if data__subject__existing__fileddomains_len > 10000:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject.existing.filed_domains must contain less than or equal to 10000 items")
                                for data__subject__existing__fileddomains_x, data__subject__existing__fileddomains_item in enumerate(data__subject__existing__fileddomains):
                                    if not isinstance(data__subject__existing__fileddomains_item, (str)):
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject.existing.filed_domains[{data__subject__existing__fileddomains_x}]".format(**locals()) + " must be string")
                                    if isinstance(data__subject__existing__fileddomains_item, str):
                                        data__subject__existing__fileddomains_item_len = len(data__subject__existing__fileddomains_item)
                                        if data__subject__existing__fileddomains_item_len < 1:
                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject.existing.filed_domains[{data__subject__existing__fileddomains_x}]".format(**locals()) + " must be longer than or equal to 1 characters")
                                        if data__subject__existing__fileddomains_item_len > 253:
                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject.existing.filed_domains[{data__subject__existing__fileddomains_x}]".format(**locals()) + " must be shorter than or equal to 253 characters")
                        if "filed_services" in data__subject__existing_keys:
                            data__subject__existing_keys.remove("filed_services")
                            data__subject__existing__filedservices = data__subject__existing["filed_services"]
                            if not isinstance(data__subject__existing__filedservices, (int)) and not (isinstance(data__subject__existing__filedservices, float) and data__subject__existing__filedservices.is_integer()) or isinstance(data__subject__existing__filedservices, bool):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject.existing.filed_services must be integer")
                            if isinstance(data__subject__existing__filedservices, (int, float, Decimal)) and not isinstance(data__subject__existing__filedservices, bool):
                                if data__subject__existing__filedservices < 0:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject.existing.filed_services must be bigger than or equal to 0")
                        if data__subject__existing_keys:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject.existing must not contain "+str(data__subject__existing_keys)+" properties")
                if data__subject_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".subject must not contain "+str(data__subject_keys)+" properties")
        if "principal" in data_keys:
            data_keys.remove("principal")
            data__principal = data["principal"]
            validate_https___icp_rulepacks_github_io_schemas_v1_application_schema_json___defs_person(data__principal, custom_formats, (name_prefix or "data") + ".principal")
        if "websites" in data_keys:
            data_keys.remove("websites")
            data__websites = data["websites"]
            if not isinstance(data__websites, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".websites must be array")
            data__websites_is_list = isinstance(data__websites, (list, tuple))
            if data__websites_is_list:
                data__websites_len = len(data__websites)
                if data__websites_len > 1000:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".websites must contain less than or equal to 1000 items")
                for data__websites_x, data__websites_item in enumerate(data__websites):
                    if not isinstance(data__websites_item, (dict)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".websites[{data__websites_x}]".format(**locals()) + " must be object")
                    data__websites_item_is_dict = isinstance(data__websites_item, dict)
                    if data__websites_item_is_dict:
                        data__websites_item__missing_keys = set(['name', 'domains']) - data__websites_item.keys()
                        if data__websites_item__missing_keys:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".websites[{data__websites_x}]".format(**locals()) + " must contain ")
                        data__websites_item_keys = set(data__websites_item.keys())
                        if "name" in data__websites_item_keys:
                            data__websites_item_keys.remove("name")
                            data__websites_item__name = data__websites_item["name"]
                            if not isinstance(data__websites_item__name, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".websites[{data__websites_x}].name".format(**locals()) + " must be string")
                            if isinstance(data__websites_item__name, str):
                                data__websites_item__name_len = len(data__websites_item__name)
                                if data__websites_item__name_len < 1:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".websites[{data__websites_x}].name".format(**locals()) + " must be longer than or equal to 1 characters")
                                if data__websites_item__name_len > 200:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".websites[{data__websites_x}].name".format(**locals()) + " must be shorter than or equal to 200 characters")
                        if "domains" in data__websites_item_keys:
                            data__websites_item_keys.remove("domains")
                            data__websites_item__domains = data__websites_item["domains"]
                            if not isinstance(data__websites_item__domains, (list, tuple)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".websites[{data__websites_x}].domains".format(**locals()) + " must be array")
                            data__websites_item__domains_is_list = isinstance(data__websites_item__domains, (list, tuple))
                            if data__websites_item__domains_is_list:
                                data__websites_item__domains_len = len(data__websites_item__domains)
                                if data__websites_item__domains_len < 1:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".websites[{data__websites_x}].domains".format(**locals()) + " must contain at least 1 items")
                                if data__websites_item__domains_len > 1000:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".websites[{data__websites_x}].domains".format(**locals()) + " must contain less than or equal to 1000 items")
                                for data__websites_item__domains_x, data__websites_item__domains_item in enumerate(data__websites_item__domains):
                                    if not isinstance(data__websites_item__domains_item, (str)):
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".websites[{data__websites_x}].domains[{data__websites_item__domains_x}]".format(**locals()) + " must be string")
                                    if isinstance(data__websites_item__domains_item, str):
                                        data__websites_item__domains_item_len = len(data__websites_item__domains_item)
                                        if data__websites_item__domains_item_len < 1:
                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".websites[{data__websites_x}].domains[{data__websites_item__domains_x}]".format(**locals()) + " must be longer than or equal to 1 characters")
                                        if data__websites_item__domains_item_len > 253:
                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".websites[{data__websites_x}].domains[{data__websites_item__domains_x}]".format(**locals()) + " must be shorter than or equal to 253 characters")
                        if "content_categories" in data__websites_item_keys:
                            data__websites_item_keys.remove("content_categories")
                            data__websites_item__contentcategories = data__websites_item["content_categories"]
                            if not isinstance(data__websites_item__contentcategories, (list, tuple)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".websites[{data__websites_x}].content_categories".format(**locals()) + " must be array")
                            data__websites_item__contentcategories_is_list = isinstance(data__websites_item__contentcategories, (list, tuple))
                            if data__websites_item__contentcategories_is_list:
                                data__websites_item__contentcategories_len = len(data__websites_item__contentcategories)
                                for data__websites_item__contentcategories_x, data__websites_item__contentcategories_item in enumerate(data__websites_item__contentcategories):
                                    if not isinstance(data__websites_item__contentcategories_item, (str)):
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".websites[{data__websites_x}].content_categories[{data__websites_item__contentcategories_x}]".format(**locals()) + " must be string")
                                    if isinstance(data__websites_item__contentcategories_item, str):
                                        if not REGEX_PATTERNS['^[a-z][a-z0-9_]*$'].search(data__websites_item__contentcategories_item):
                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".websites[{data__websites_x}].content_categories[{data__websites_item__contentcategories_x}]".format(**locals()) + " must match pattern ^[a-z][a-z0-9_]*$")
                        if "remarks" in data__websites_item_keys:
                            data__websites_item_keys.remove("remarks")
                            data__websites_item__remarks = data__websites_item["remarks"]
                            if not isinstance(data__websites_item__remarks, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".websites[{data__websites_x}].remarks".format(**locals()) + " must be string")
                            if isinstance(data__websites_item__remarks, str):
                                data__websites_item__remarks_len = len(data__websites_item__remarks)
                                if data__websites_item__remarks_len > 5000:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".websites[{data__websites_x}].remarks".format(**locals()) + " must be shorter than or equal to 5000 characters")
                        if "manager" in data__websites_item_keys:
                            data__websites_item_keys.remove("manager")
                            data__websites_item__manager = data__websites_item["manager"]
                            validate_https___icp_rulepacks_github_io_schemas_v1_application_schema_json___defs_person(data__websites_item__manager, custom_formats, (name_prefix or "data") + ".websites[{data__websites_x}].manager".format(**locals()))
                        if data__websites_item_keys:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".websites[{data__websites_x}]".format(**locals()) + " must not contain "+str(data__websites_item_keys)+" properties")
        if "domains" in data_keys:
            data_keys.remove("domains")
            data__domains = data["domains"]
            if not isinstance(data__domains, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".domains must be array")
            data__domains_is_list = isinstance(data__domains, (list, tuple))
            if data__domains_is_list:
                data__domains_len = len(data__domains)
                if data__domains_len > 1000:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".domains must contain less than or equal to 1000 items")
                for data__domains_x, data__domains_item in enumerate(data__domains):
                    if not isinstance(data__domains_item, (dict)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".domains[{data__domains_x}]".format(**locals()) + " must be object")
                    data__domains_item_is_dict = isinstance(data__domains_item, dict)
                    if data__domains_item_is_dict:
                        data__domains_item__missing_keys = set(['name', 'registrant_name', 'registrant_type', 'real_name_verified', 'expires_on']) - data__domains_item.keys()
                        if data__domains_item__missing_keys:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".domains[{data__domains_x}]".format(**locals()) + " must contain ")
                        data__domains_item_keys = set(data__domains_item.keys())
                        if "name" in data__domains_item_keys:
                            data__domains_item_keys.remove("name")
                            data__domains_item__name = data__domains_item["name"]
                            if not isinstance(data__domains_item__name, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".domains[{data__domains_x}].name".format(**locals()) + " must be string")
                            if isinstance(data__domains_item__name, str):
                                data__domains_item__name_len = len(data__domains_item__name)
                                if data__domains_item__name_len < 1:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".domains[{data__domains_x}].name".format(**locals()) + " must be longer than or equal to 1 characters")
                                if data__domains_item__name_len > 253:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".domains[{data__domains_x}].name".format(**locals()) + " must be shorter than or equal to 253 characters")
                        if "registrant_name" in data__domains_item_keys:
                            data__domains_item_keys.remove("registrant_name")
                            data__domains_item__registrantname = data__domains_item["registrant_name"]
                            if not isinstance(data__domains_item__registrantname, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".domains[{data__domains_x}].registrant_name".format(**locals()) + " must be string")
                            if isinstance(data__domains_item__registrantname, str):
                                data__domains_item__registrantname_len = len(data__domains_item__registrantname)
                                if data__domains_item__registrantname_len < 1:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".domains[{data__domains_x}].registrant_name".format(**locals()) + " must be longer than or equal to 1 characters")
                                if data__domains_item__registrantname_len > 200:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".domains[{data__domains_x}].registrant_name".format(**locals()) + " must be shorter than or equal to 200 characters")
                        if "registrant_type" in data__domains_item_keys:
                            data__domains_item_keys.remove("registrant_type")
                            data__domains_item__registranttype = data__domains_item["registrant_type"]
                            if not (isinstance(data__domains_item__registranttype, str) and data__domains_item__registranttype == 'individual' or isinstance(data__domains_item__registranttype, str) and data__domains_item__registranttype == 'organization'):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".domains[{data__domains_x}].registrant_type".format(**locals()) + " must be one of ['individual', 'organization']")
                        if "real_name_verified" in data__domains_item_keys:
                            data__domains_item_keys.remove("real_name_verified")
                            data__domains_item__realnameverified = data__domains_item["real_name_verified"]
                            if not isinstance(data__domains_item__realnameverified, (bool)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".domains[{data__domains_x}].real_name_verified".format(**locals()) + " must be boolean")
                        if "verified_on" in data__domains_item_keys:
                            data__domains_item_keys.remove("verified_on")
                            data__domains_item__verifiedon = data__domains_item["verified_on"]
                            if not isinstance(data__domains_item__verifiedon, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".domains[{data__domains_x}].verified_on".format(**locals()) + " must be string")
                            if isinstance(data__domains_item__verifiedon, str):
                                if not custom_formats["date"](data__domains_item__verifiedon):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".domains[{data__domains_x}].verified_on".format(**locals()) + " must be date")
                        if "registered_on" in data__domains_item_keys:
                            data__domains_item_keys.remove("registered_on")
                            data__domains_item__registeredon = data__domains_item["registered_on"]
                            if not isinstance(data__domains_item__registeredon, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".domains[{data__domains_x}].registered_on".format(**locals()) + " must be string")
                            if isinstance(data__domains_item__registeredon, str):
                                if not custom_formats["date"](data__domains_item__registeredon):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".domains[{data__domains_x}].registered_on".format(**locals()) + " must be date")
                        if "expires_on" in data__domains_item_keys:
                            data__domains_item_keys.remove("expires_on")
                            data__domains_item__expireson = data__domains_item["expires_on"]
                            if not isinstance(data__domains_item__expireson, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".domains[{data__domains_x}].expires_on".format(**locals()) + " must be string")
                            if isinstance(data__domains_item__expireson, str):
                                if not custom_formats["date"](data__domains_item__expireson):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".domains[{data__domains_x}].expires_on".format(**locals()) + " must be date")
                        if data__domains_item_keys:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".domains[{data__domains_x}]".format(**locals()) + " must not contain "+str(data__domains_item_keys)+" properties")
        if "documents_on_hand" in data_keys:
            data_keys.remove("documents_on_hand")
            data__documentsonhand = data["documents_on_hand"]
            if not isinstance(data__documentsonhand, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".documents_on_hand must be array")
            data__documentsonhand_is_list = isinstance(data__documentsonhand, (list, tuple))
            if data__documentsonhand_is_list:
                data__documentsonhand_len = len(data__documentsonhand)
                if data__documentsonhand_len > 1000:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".documents_on_hand must contain less than or equal to 1000 items")
                for data__documentsonhand_x, data__documentsonhand_item in enumerate(data__documentsonhand):
                    if not isinstance(data__documentsonhand_item, (dict)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".documents_on_hand[{data__documentsonhand_x}]".format(**locals()) + " must be object")
                    data__documentsonhand_item_is_dict = isinstance(data__documentsonhand_item, dict)
                    if data__documentsonhand_item_is_dict:
                        data__documentsonhand_item__missing_keys = set(['id']) - data__documentsonhand_item.keys()
                        if data__documentsonhand_item__missing_keys:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".documents_on_hand[{data__documentsonhand_x}]".format(**locals()) + " must contain ")
                        data__documentsonhand_item_keys = set(data__documentsonhand_item.keys())
                        if "id" in data__documentsonhand_item_keys:
                            data__documentsonhand_item_keys.remove("id")
                            data__documentsonhand_item__id = data__documentsonhand_item["id"]
                            if not isinstance(data__documentsonhand_item__id, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".documents_on_hand[{data__documentsonhand_x}].id".format(**locals()) + " must be string")
                            if isinstance(data__documentsonhand_item__id, str):
                                if not REGEX_PATTERNS['^[a-z][a-z0-9_]*$'].search(data__documentsonhand_item__id):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".documents_on_hand[{data__documentsonhand_x}].id".format(**locals()) + " must match pattern ^[a-z][a-z0-9_]*$")
                        if "issued_on" in data__documentsonhand_item_keys:
                            data__documentsonhand_item_keys.remove("issued_on")
                            data__documentsonhand_item__issuedon = data__documentsonhand_item["issued_on"]
                            if not isinstance(data__documentsonhand_item__issuedon, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".documents_on_hand[{data__documentsonhand_x}].issued_on".format(**locals()) + " must be string")
                            if isinstance(data__documentsonhand_item__issuedon, str):
                                if not custom_formats["date"](data__documentsonhand_item__issuedon):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".documents_on_hand[{data__documentsonhand_x}].issued_on".format(**locals()) + " must be date")
                        if "expires_on" in data__documentsonhand_item_keys:
                            data__documentsonhand_item_keys.remove("expires_on")
                            data__documentsonhand_item__expireson = data__documentsonhand_item["expires_on"]
                            if not isinstance(data__documentsonhand_item__expireson, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".documents_on_hand[{data__documentsonhand_x}].expires_on".format(**locals()) + " must be string")
                            if isinstance(data__documentsonhand_item__expireson, str):
                                if not custom_formats["date"](data__documentsonhand_item__expireson):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".documents_on_hand[{data__documentsonhand_x}].expires_on".format(**locals()) + " must be date")
                        if "for" in data__documentsonhand_item_keys:
                            data__documentsonhand_item_keys.remove("for")
                            data__documentsonhand_item__for = data__documentsonhand_item["for"]
                            if not isinstance(data__documentsonhand_item__for, (dict)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".documents_on_hand[{data__documentsonhand_x}].for".format(**locals()) + " must be object")
                            data__documentsonhand_item__for_is_dict = isinstance(data__documentsonhand_item__for, dict)
                            if data__documentsonhand_item__for_is_dict:
                                data__documentsonhand_item__for__missing_keys = set(['kind', 'ref']) - data__documentsonhand_item__for.keys()
                                if data__documentsonhand_item__for__missing_keys:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".documents_on_hand[{data__documentsonhand_x}].for".format(**locals()) + " must contain ")
                                data__documentsonhand_item__for_keys = set(data__documentsonhand_item__for.keys())
                                if "kind" in data__documentsonhand_item__for_keys:
                                    data__documentsonhand_item__for_keys.remove("kind")
                                    data__documentsonhand_item__for__kind = data__documentsonhand_item__for["kind"]
                                    if not (isinstance(data__documentsonhand_item__for__kind, str) and data__documentsonhand_item__for__kind == 'subject' or isinstance(data__documentsonhand_item__for__kind, str) and data__documentsonhand_item__for__kind == 'person' or isinstance(data__documentsonhand_item__for__kind, str) and data__documentsonhand_item__for__kind == 'website' or isinstance(data__documentsonhand_item__for__kind, str) and data__documentsonhand_item__for__kind == 'domain' or isinstance(data__documentsonhand_item__for__kind, str) and data__documentsonhand_item__for__kind == 'category'):
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".documents_on_hand[{data__documentsonhand_x}].for.kind".format(**locals()) + " must be one of ['subject', 'person', 'website', 'domain', 'category']")
                                if "ref" in data__documentsonhand_item__for_keys:
                                    data__documentsonhand_item__for_keys.remove("ref")
                                    data__documentsonhand_item__for__ref = data__documentsonhand_item__for["ref"]
                                    if not isinstance(data__documentsonhand_item__for__ref, (str)):
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".documents_on_hand[{data__documentsonhand_x}].for.ref".format(**locals()) + " must be string")
                                    if isinstance(data__documentsonhand_item__for__ref, str):
                                        data__documentsonhand_item__for__ref_len = len(data__documentsonhand_item__for__ref)
                                        if data__documentsonhand_item__for__ref_len < 1:
                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".documents_on_hand[{data__documentsonhand_x}].for.ref".format(**locals()) + " must be longer than or equal to 1 characters")
                                        if data__documentsonhand_item__for__ref_len > 256:
                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".documents_on_hand[{data__documentsonhand_x}].for.ref".format(**locals()) + " must be shorter than or equal to 256 characters")
                                if data__documentsonhand_item__for_keys:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".documents_on_hand[{data__documentsonhand_x}].for".format(**locals()) + " must not contain "+str(data__documentsonhand_item__for_keys)+" properties")
                        if data__documentsonhand_item_keys:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".documents_on_hand[{data__documentsonhand_x}]".format(**locals()) + " must not contain "+str(data__documentsonhand_item_keys)+" properties")
        if "apps" in data_keys:
            data_keys.remove("apps")
            data__apps = data["apps"]
            if not isinstance(data__apps, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps must be array")
            data__apps_is_list = isinstance(data__apps, (list, tuple))
            if data__apps_is_list:
                data__apps_len = len(data__apps)
                if data__apps_len > 1000:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps must contain less than or equal to 1000 items")
                for data__apps_x, data__apps_item in enumerate(data__apps):
                    if not isinstance(data__apps_item, (dict)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}]".format(**locals()) + " must be object")
                    data__apps_item_is_dict = isinstance(data__apps_item, dict)
                    if data__apps_item_is_dict:
                        data__apps_item__missing_keys = set(['name']) - data__apps_item.keys()
                        if data__apps_item__missing_keys:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}]".format(**locals()) + " must contain ")
                        data__apps_item_keys = set(data__apps_item.keys())
                        if "name" in data__apps_item_keys:
                            data__apps_item_keys.remove("name")
                            data__apps_item__name = data__apps_item["name"]
                            if not isinstance(data__apps_item__name, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].name".format(**locals()) + " must be string")
                            if isinstance(data__apps_item__name, str):
                                data__apps_item__name_len = len(data__apps_item__name)
                                if data__apps_item__name_len < 1:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].name".format(**locals()) + " must be longer than or equal to 1 characters")
                                if data__apps_item__name_len > 200:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].name".format(**locals()) + " must be shorter than or equal to 200 characters")
                        if "kind" in data__apps_item_keys:
                            data__apps_item_keys.remove("kind")
                            data__apps_item__kind = data__apps_item["kind"]
                            if not (isinstance(data__apps_item__kind, str) and data__apps_item__kind == 'app' or isinstance(data__apps_item__kind, str) and data__apps_item__kind == 'mini_program' or isinstance(data__apps_item__kind, str) and data__apps_item__kind == 'quick_app'):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].kind".format(**locals()) + " must be one of ['app', 'mini_program', 'quick_app']")
                        if "platforms" in data__apps_item_keys:
                            data__apps_item_keys.remove("platforms")
                            data__apps_item__platforms = data__apps_item["platforms"]
                            if not isinstance(data__apps_item__platforms, (list, tuple)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].platforms".format(**locals()) + " must be array")
                            data__apps_item__platforms_is_list = isinstance(data__apps_item__platforms, (list, tuple))
                            if data__apps_item__platforms_is_list:
                                data__apps_item__platforms_len = len(data__apps_item__platforms)
                                if data__apps_item__platforms_len > 4:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].platforms".format(**locals()) + " must contain less than or equal to 4 items")
                                for data__apps_item__platforms_x, data__apps_item__platforms_item in enumerate(data__apps_item__platforms):
                                    if not (isinstance(data__apps_item__platforms_item, str) and data__apps_item__platforms_item == 'android' or isinstance(data__apps_item__platforms_item, str) and data__apps_item__platforms_item == 'ios' or isinstance(data__apps_item__platforms_item, str) and data__apps_item__platforms_item == 'harmony' or isinstance(data__apps_item__platforms_item, str) and data__apps_item__platforms_item == 'other'):
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].platforms[{data__apps_item__platforms_x}]".format(**locals()) + " must be one of ['android', 'ios', 'harmony', 'other']")
                        if "package" in data__apps_item_keys:
                            data__apps_item_keys.remove("package")
                            data__apps_item__package = data__apps_item["package"]
                            if not isinstance(data__apps_item__package, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].package".format(**locals()) + " must be string")
                            if isinstance(data__apps_item__package, str):
                                data__apps_item__package_len = len(data__apps_item__package)
                                if data__apps_item__package_len < 1:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].package".format(**locals()) + " must be longer than or equal to 1 characters")
                                if data__apps_item__package_len > 255:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].package".format(**locals()) + " must be shorter than or equal to 255 characters")
                        if "signature_md5" in data__apps_item_keys:
                            data__apps_item_keys.remove("signature_md5")
                            data__apps_item__signaturemd5 = data__apps_item["signature_md5"]
                            if not isinstance(data__apps_item__signaturemd5, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].signature_md5".format(**locals()) + " must be string")
                            if isinstance(data__apps_item__signaturemd5, str):
                                if not REGEX_PATTERNS['^(?:[0-9A-Fa-f]{32}|[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){15})$'].search(data__apps_item__signaturemd5):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].signature_md5".format(**locals()) + " must match pattern ^(?:[0-9A-Fa-f]{32}|[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){15})$")
                        if "domains" in data__apps_item_keys:
                            data__apps_item_keys.remove("domains")
                            data__apps_item__domains = data__apps_item["domains"]
                            if not isinstance(data__apps_item__domains, (list, tuple)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].domains".format(**locals()) + " must be array")
                            data__apps_item__domains_is_list = isinstance(data__apps_item__domains, (list, tuple))
                            if data__apps_item__domains_is_list:
                                data__apps_item__domains_len = len(data__apps_item__domains)
                                if data__apps_item__domains_len > 1000:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].domains".format(**locals()) + " must contain less than or equal to 1000 items")
                                for data__apps_item__domains_x, data__apps_item__domains_item in enumerate(data__apps_item__domains):
                                    if not isinstance(data__apps_item__domains_item, (str)):
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].domains[{data__apps_item__domains_x}]".format(**locals()) + " must be string")
                                    if isinstance(data__apps_item__domains_item, str):
                                        data__apps_item__domains_item_len = len(data__apps_item__domains_item)
                                        if data__apps_item__domains_item_len < 1:
                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].domains[{data__apps_item__domains_x}]".format(**locals()) + " must be longer than or equal to 1 characters")
                                        if data__apps_item__domains_item_len > 253:
                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].domains[{data__apps_item__domains_x}]".format(**locals()) + " must be shorter than or equal to 253 characters")
                        if "content_categories" in data__apps_item_keys:
                            data__apps_item_keys.remove("content_categories")
                            data__apps_item__contentcategories = data__apps_item["content_categories"]
                            if not isinstance(data__apps_item__contentcategories, (list, tuple)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].content_categories".format(**locals()) + " must be array")
                            data__apps_item__contentcategories_is_list = isinstance(data__apps_item__contentcategories, (list, tuple))
                            if data__apps_item__contentcategories_is_list:
                                data__apps_item__contentcategories_len = len(data__apps_item__contentcategories)
                                for data__apps_item__contentcategories_x, data__apps_item__contentcategories_item in enumerate(data__apps_item__contentcategories):
                                    if not isinstance(data__apps_item__contentcategories_item, (str)):
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].content_categories[{data__apps_item__contentcategories_x}]".format(**locals()) + " must be string")
                                    if isinstance(data__apps_item__contentcategories_item, str):
                                        if not REGEX_PATTERNS['^[a-z][a-z0-9_]*$'].search(data__apps_item__contentcategories_item):
                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].content_categories[{data__apps_item__contentcategories_x}]".format(**locals()) + " must match pattern ^[a-z][a-z0-9_]*$")
                        if "remarks" in data__apps_item_keys:
                            data__apps_item_keys.remove("remarks")
                            data__apps_item__remarks = data__apps_item["remarks"]
                            if not isinstance(data__apps_item__remarks, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].remarks".format(**locals()) + " must be string")
                            if isinstance(data__apps_item__remarks, str):
                                data__apps_item__remarks_len = len(data__apps_item__remarks)
                                if data__apps_item__remarks_len > 5000:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}].remarks".format(**locals()) + " must be shorter than or equal to 5000 characters")
                        if "manager" in data__apps_item_keys:
                            data__apps_item_keys.remove("manager")
                            data__apps_item__manager = data__apps_item["manager"]
                            validate_https___icp_rulepacks_github_io_schemas_v1_application_schema_json___defs_person(data__apps_item__manager, custom_formats, (name_prefix or "data") + ".apps[{data__apps_x}].manager".format(**locals()))
                        if data__apps_item_keys:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".apps[{data__apps_x}]".format(**locals()) + " must not contain "+str(data__apps_item_keys)+" properties")
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties")
    return data

def validate_https___icp_rulepacks_github_io_schemas_v1_application_schema_json___defs_person(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object")
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['name', 'identity', 'certificate']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain ")
        data_keys = set(data.keys())
        if "name" in data_keys:
            data_keys.remove("name")
            data__name = data["name"]
            if not isinstance(data__name, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".name must be string")
            if isinstance(data__name, str):
                data__name_len = len(data__name)
                if data__name_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".name must be longer than or equal to 1 characters")
                if data__name_len > 200:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".name must be shorter than or equal to 200 characters")
        if "identity" in data_keys:
            data_keys.remove("identity")
            data__identity = data["identity"]
            if not (isinstance(data__identity, str) and data__identity == 'mainland' or isinstance(data__identity, str) and data__identity == 'hong_kong' or isinstance(data__identity, str) and data__identity == 'macau' or isinstance(data__identity, str) and data__identity == 'taiwan' or isinstance(data__identity, str) and data__identity == 'foreign'):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".identity must be one of ['mainland', 'hong_kong', 'macau', 'taiwan', 'foreign']")
        if "certificate" in data_keys:
            data_keys.remove("certificate")
            data__certificate = data["certificate"]
            validate_https___icp_rulepacks_github_io_schemas_v1_application_schema_json___defs_certificate(data__certificate, custom_formats, (name_prefix or "data") + ".certificate")
        if "is_legal_representative" in data_keys:
            data_keys.remove("is_legal_representative")
            data__islegalrepresentative = data["is_legal_representative"]
            if not isinstance(data__islegalrepresentative, (bool)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".is_legal_representative must be boolean")
        if "other_filings" in data_keys:
            data_keys.remove("other_filings")
            data__otherfilings = data["other_filings"]
            if not isinstance(data__otherfilings, (int)) and not (isinstance(data__otherfilings, float) and data__otherfilings.is_integer()) or isinstance(data__otherfilings, bool):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".other_filings must be integer")
            if isinstance(data__otherfilings, (int, float, Decimal)) and not isinstance(data__otherfilings, bool):
                if data__otherfilings < 0:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".other_filings must be bigger than or equal to 0")
        if "birth_date" in data_keys:
            data_keys.remove("birth_date")
            data__birthdate = data["birth_date"]
            if not isinstance(data__birthdate, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".birth_date must be string")
            if isinstance(data__birthdate, str):
                if not custom_formats["date"](data__birthdate):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".birth_date must be date")
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties")
    return data

def validate_https___icp_rulepacks_github_io_schemas_v1_application_schema_json___defs_certificate(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object")
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['type', 'number']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain ")
        data_keys = set(data.keys())
        if "type" in data_keys:
            data_keys.remove("type")
            data__type = data["type"]
            if not (isinstance(data__type, str) and data__type == 'id_card' or isinstance(data__type, str) and data__type == 'hk_macau_residence_permit' or isinstance(data__type, str) and data__type == 'hk_macau_travel_permit' or isinstance(data__type, str) and data__type == 'taiwan_residence_permit' or isinstance(data__type, str) and data__type == 'taiwan_travel_permit' or isinstance(data__type, str) and data__type == 'passport' or isinstance(data__type, str) and data__type == 'business_license' or isinstance(data__type, str) and data__type == 'institution_certificate' or isinstance(data__type, str) and data__type == 'social_organization_certificate' or isinstance(data__type, str) and data__type == 'law_firm_license' or isinstance(data__type, str) and data__type == 'government_certificate' or isinstance(data__type, str) and data__type == 'other'):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".type must be one of ['id_card', 'hk_macau_residence_permit', 'hk_macau_travel_permit', 'taiwan_residence_permit', 'taiwan_travel_permit', 'passport', 'business_license', 'institution_certificate', 'social_organization_certificate', 'law_firm_license', 'government_certificate', 'other']")
        if "number" in data_keys:
            data_keys.remove("number")
            data__number = data["number"]
            if not isinstance(data__number, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".number must be string")
            if isinstance(data__number, str):
                data__number_len = len(data__number)
                if data__number_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".number must be longer than or equal to 1 characters")
                if data__number_len > 64:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".number must be shorter than or equal to 64 characters")
        if "expires_on" in data_keys:
            data_keys.remove("expires_on")
            data__expireson = data["expires_on"]
            if not isinstance(data__expireson, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".expires_on must be string")
            if isinstance(data__expireson, str):
                if not custom_formats["date"](data__expireson):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".expires_on must be date")
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties")
    return data


validate = validate_https___icp_rulepacks_github_io_schemas_v1_application_schema_json
